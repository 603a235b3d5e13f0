// The tests start redis-server processes and measure real propagation on a 2-core machine: run them one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
