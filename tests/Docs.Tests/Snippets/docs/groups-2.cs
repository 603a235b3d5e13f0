using Fusebox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docs.Tests.Snippets.Groups;

/// <summary>docs/groups.md, "What is reported": the group's events and its snapshot.</summary>
public sealed class GroupReporting
{
    private readonly ILogger logger = NullLogger.Instance;

    public void Run(BreakerGroup endpoints)
    {
        // snippet:start
        endpoints.Reported += (_, e) => logger.LogWarning("{Group}: {Kind} {Member}: {Description}", e.Group, e.Kind, e.MemberKey, e.Description);

        BreakerGroupSnapshot status = endpoints.Snapshot();
        Console.WriteLine($"{status.HealthyMembers}/{status.Members.Count} healthy, {status.OpenMembers}/{status.MaxOpen} open, " +
                          $"panicking: {status.IsPanicking}, would have opened: {status.WouldHaveOpened}");
        // snippet:end
    }
}
