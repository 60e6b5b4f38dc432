using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace InsightsFunctions.Tests.Support;

public static class FunctionContexts
{
    /// <summary>A FunctionContext carrying an HttpContext the way the ASP.NET Core integration does.</summary>
    public static FunctionContext With(HttpContext http)
    {
        var items = new Dictionary<object, object> { ["HttpRequestContext"] = http };
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.Items).Returns(items);
        context.SetupGet(c => c.InstanceServices).Returns(http.RequestServices);
        Assert.Same(http, context.Object.GetHttpContext()); // guards the key this depends on
        return context.Object;
    }
}
