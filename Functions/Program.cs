using InsightsFunctions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseInsightsMiddleware();
builder.Services.AddFunctionsApp(builder.Configuration);
builder.Services.AddInsightsTelemetry(builder.Configuration);
builder.Build().Run();
