using BenchmarkDotNet.Running;
using InsightsFunctions.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(IngestPathBenchmarks).Assembly).Run(args);
