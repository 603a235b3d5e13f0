namespace Fusebox.AspNetCore;

/// <summary>A half-open breaker's probe round, as the admin API shows it (<see cref="ProbeRound"/>).</summary>
/// <param name="Permits">Probe permits in the round.</param>
/// <param name="InFlight">Probes admitted and not reported yet.</param>
/// <param name="Free">Permits a new probe could take now.</param>
/// <param name="NotGranted">Permits a coordinator holds back until it wins them from the shared state.</param>
/// <param name="Succeeded">Probes of the round that succeeded so far.</param>
/// <param name="SuccessesToClose">Successful probes that close the breaker; null when a coordinator decides it on every replica's probes.</param>
public sealed record ProbeRoundView(int Permits, int InFlight, int Free, int NotGranted, int Succeeded, int? SuccessesToClose)
{
    internal static ProbeRoundView? From(ProbeRound? round) =>
        round is null ? null : new(round.Permits, round.InFlight, round.Free, round.NotGranted, round.Succeeded, round.SuccessesToClose);
}
