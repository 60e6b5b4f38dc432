using System.Globalization;
using BenchmarkDotNet.Running;
using InsightsFunctions.Benchmarks;

if (args.Length > 0 && args[0] == "day")
{
    var agents = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
    var hours = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8;
    StitcherDay.BatchSize = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : StitcherDay.BatchSize;
    StitcherDay.Repeats = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : StitcherDay.Repeats;
    await StitcherDay.RunAsync(agents, hours);
    return;
}
if (args.Length > 0 && args[0] == "refresh")
{
    await InsightsFunctions.Benchmarks.RealtimeRefreshDay.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
        args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 9,
        args.Length > 3 && args[3] == "skip-full");
    return;
}

if (args.Length > 0 && args[0] == "load")
{
    await LoadDay.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
        args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 12);
    return;
}
if (args.Length > 0 && args[0] == "load-window")
{
    await LoadWindowDay.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
        args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 9,
        args.Length > 3 ? args[3] : "all");
    return;
}
if (args.Length > 0 && args[0] == "backfill")
{
    await InsightsFunctions.Benchmarks.BackfillDay.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
        args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 8);
    return;
}
if (args.Length > 0 && args[0] == "bus")
{
    await BusCandidates.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32);
    return;
}
if (args.Length > 0 && args[0] == "ingest-http")
{
    await IngestHttpRun.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32);
    return;
}
if (args.Length > 1 && args[0] == "rows")
{
    await StitchedRowsDump.RunAsync(
        args[1],
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300,
        args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 2,
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 500);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestPathBenchmarks).Assembly).Run(args);
