using System.Globalization;
using BenchmarkDotNet.Running;
using InsightsFunctions.Benchmarks;

if (args.Length > 0 && args[0] == "day")
{
    var agents = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
    var hours = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8;
    StitcherDay.BatchSize = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2000;
    await StitcherDay.RunAsync(agents, hours);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestPathBenchmarks).Assembly).Run(args);
