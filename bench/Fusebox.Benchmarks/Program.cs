using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using Fusebox.Benchmarks;

// dotnet run -c Release --project bench/Fusebox.Benchmarks -- [--quick] [--retained] [BenchmarkDotNet args, e.g. --filter *Closed*]
//   --quick     a short job (1 launch, 3 warm-up, 15 measured iterations of ~120 ms) for the whole suite in ~3 minutes
//   --retained  only print the retained-memory report (no BenchmarkDotNet run)
// Without --filter every benchmark runs (instead of BenchmarkDotNet's interactive menu), followed by the
// retained-memory report. Results: BenchmarkDotNet.Artifacts/results/ (CSV, GitHub markdown, HTML).
bool quick = args.Contains("--quick");
bool retainedOnly = args.Contains("--retained");
var rest = args.Where(a => a is not "--quick" and not "--retained").ToList();

if (retainedOnly)
{
    Console.WriteLine(RetainedMemory.Run());
    return 0;
}

bool selects = rest.Any(a => a is "--filter" or "-f" or "--list" or "--allCategories" or "--anyCategories" or "--help" or "-h" or "--version" or "--info");
if (!selects)
{
    rest.AddRange(["--filter", "*"]);
}

// Quick: one launch, 3 warm-up and 15 measured iterations of ~120 ms each. About as long as BenchmarkDotNet's ShortRun
// (3 + 3 iterations of 500 ms) but with five times the samples, so that a burst of load from another process on a
// small machine spoils one sample of fifteen (and is dropped as an outlier) rather than one of three.
var job = quick
    ? Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15)
        .WithIterationTime(TimeInterval.FromMilliseconds(120)).WithId("Quick")
    : Job.Default;
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job.AsDefault())
    .WithOption(ConfigOptions.JoinSummary, false);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);

if (!selects)
{
    string report = RetainedMemory.Run();
    Console.WriteLine(report);
    string dir = Path.Combine(config.ArtifactsPath ?? Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts"), "results");
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, "RetainedMemory-report.md"), report);
}

return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
