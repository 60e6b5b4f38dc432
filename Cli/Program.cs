using InsightsFunctions.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("insights");
    config.AddCommand<ServeCommand>("serve").WithDescription("Run the local host: the Functions' routes on Kestrel, the local bus (a durable log) and consumers.");
    config.AddCommand<SimulateCommand>("simulate").WithDescription("Send a signed, realistic contact-center day to any TaskRouter callback endpoint.");
    config.AddCommand<ProcessCommand>("process").WithDescription("Run the Event Hubs processor alone (the consumer), for an always-on host.");
    config.AddCommand<LoadCommand>("load").WithDescription("Run the 15-minute loads now: every window since the watermark (up to --until), exports and manifests.");
    config.AddCommand<BackfillCommand>("backfill").WithDescription("Read a workspace's events back from the TaskRouter Events API and publish what the pipeline is missing.");
    config.AddCommand<ReplayCommand>("replay").WithDescription("Replay a recorded NDJSON file (callbacks, RTA messages or recorded envelopes) through the ingest's path.");
    config.AddCommand<DemoCommand>("demo").WithDescription("Local host in-process + simulated day + wait for idle + the loads + report.");
    config.SetExceptionHandler((exception, _) =>
    {
        var inner = exception is CommandRuntimeException or CommandParseException ? exception : exception.GetBaseException();
        Console.Error.WriteLine($"insights: {inner.Message}");
        return 1;
    });
});
return await app.RunAsync(args);
