namespace Fusebox.Replay;

/// <summary>A <c>--policy</c> text that cannot be parsed: names the token and what is allowed there.</summary>
public sealed class PolicySyntaxException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="policy">The whole policy text.</param>
    /// <param name="token">The token at fault.</param>
    /// <param name="problem">What is wrong and what is allowed.</param>
    public PolicySyntaxException(string policy, string token, string problem)
        : base($"--policy \"{policy}\": '{token}': {problem}")
    {
        Policy = policy;
        Token = token;
    }

    /// <summary>The whole policy text.</summary>
    public string Policy { get; }

    /// <summary>The token at fault.</summary>
    public string Token { get; }
}
