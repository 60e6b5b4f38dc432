using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace InsightsFunctions.Ingest;

/// <summary>Reads a request body up to a limit, whatever Content-Length says (chunked bodies too).</summary>
public static class BoundedBody
{
    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            return null;
        }
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is long n and > 0 ? (int)n : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }
}
