// Scale figure for Fusebox.Redis (docs/distributed.md, "Cost, measured"). Usage:
//   dotnet run -c Release --project bench/Fusebox.Redis.Scale -- [--breakers 10000] [--replicas 3] [--seconds 10] [--redis host:port]
//       [--sweep 60] [--mode Quorum|Any|Local] [--idle-only]
// Without --redis it starts a redis-server (from PATH) on a free loopback port and stops it at the end. Each replica is a
// child process (this program with "replica" as its first argument) sharing the same breakers under one key prefix, so
// its CPU is its own: process CPU time over wall time while measured. Phases: idle (nothing called), then busy (every
// breaker called once every 100 ms on every replica, the calls' own CPU included). Redis commands are the deltas of
// INFO commandstats over the phase: scripts (EVALSHA) and every command counted by the server, including those a script runs.
using Fusebox.Redis.Scale;

return args.FirstOrDefault() == "replica"
    ? await ScaleReplica.RunAsync(args[1..])
    : await ScaleRun.RunAsync(args);
