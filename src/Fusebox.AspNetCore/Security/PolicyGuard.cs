using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.AspNetCore;

/// <summary>
/// Evaluates an authorization policy inside the endpoint, the way the authorization middleware would
/// (authenticate with the policy's schemes, then authorize), so that a refusal goes through the Fusebox endpoint's
/// own response: the security headers, a problem+json body and a rate-limited log line. The middleware's
/// refusals are bare 401/403 responses written before any endpoint code runs.
/// </summary>
internal sealed class PolicyGuard(string policyName, string optionName, RefusalLog refusals)
{
    /// <summary>Null when the current user satisfies the policy; else the challenge (401) or forbid (403) result.</summary>
    public async ValueTask<IResult?> CheckAsync(HttpContext context)
    {
        var (policy, authorization) = await EvaluateAsync(context).ConfigureAwait(false);
        if (authorization.Succeeded)
        {
            return null;
        }

        bool challenge = authorization.Challenged;
        refusals.Refused(challenge ? RefusalKind.Unauthenticated : RefusalKind.Forbidden, context, $"policy '{policyName}' ({optionName})");
        return new RefusedResult(challenge, policy.AuthenticationSchemes);
    }

    /// <summary>Whether the current user satisfies the policy, without answering the request.</summary>
    public async ValueTask<bool> IsSatisfiedAsync(HttpContext context) => (await EvaluateAsync(context).ConfigureAwait(false)).Result.Succeeded;

    private async Task<(AuthorizationPolicy Policy, PolicyAuthorizationResult Result)> EvaluateAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var provider = services.GetService<IAuthorizationPolicyProvider>() ?? throw new InvalidOperationException(
            $"FuseboxEndpointOptions.{optionName} is set but authorization is not: call services.AddAuthorization(...).");
        var policy = await provider.GetPolicyAsync(policyName).ConfigureAwait(false) ?? throw new InvalidOperationException(
            $"FuseboxEndpointOptions.{optionName} names the authorization policy '{policyName}', which is not registered (services.AddAuthorization(o => o.AddPolicy(\"{policyName}\", ...))).");
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, context).ConfigureAwait(false);
        return (policy, await evaluator.AuthorizeAsync(policy, authentication, context, context).ConfigureAwait(false));
    }

    /// <summary>Lets the authentication schemes answer (a cookie scheme redirects to its login page, a bearer scheme
    /// adds <c>WWW-Authenticate</c>), then, if they left a bare 401 or 403, gives it a problem+json body.</summary>
    private sealed class RefusedResult(bool challenge, IReadOnlyList<string> schemes) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            if (schemes.Count == 0)
            {
                await (challenge ? context.ChallengeAsync() : context.ForbidAsync()).ConfigureAwait(false);
            }

            foreach (string scheme in schemes)
            {
                await (challenge ? context.ChallengeAsync(scheme) : context.ForbidAsync(scheme)).ConfigureAwait(false);
            }

            if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
            {
                await (challenge
                    ? Problems.Unauthorized()
                    : Problems.Forbidden("You are not allowed to do this", "The current user does not satisfy the authorization policy of this endpoint.")).ExecuteAsync(context).ConfigureAwait(false);
            }
        }
    }
}
