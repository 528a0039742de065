using System.Globalization;
using System.Text;

namespace CertPolicy.Samples.EmsServer;

/// <summary>
/// The management server's HTTPS side, in miniature: one HTTP/1.1 request per connection over the same TLS listener
/// as the EMS line protocol, answered by hand and closed. <c>GET /api/v1/licence</c> returns a short JSON body;
/// anything else gets 404, 405 or 400. Not a web server: no keep-alive, no request bodies, no chunking.
/// </summary>
internal static class HttpEndpoint
{
    /// <summary>The largest request head read (request line and headers); a longer one is answered 431.</summary>
    public const int MaxRequestHead = 8192;

    /// <summary>The path of the licence resource.</summary>
    public const string LicencePath = "/api/v1/licence";

    private const string LicenceJson = """{"product":"EMS","licence":"EMS-DEMO-0001","seats":250,"status":"active"}""";

    private static readonly byte[][] s_methods = [.. new[] { "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "PATCH ", "OPTIONS " }.Select(Encoding.ASCII.GetBytes)];

    /// <summary>True when <paramref name="firstBytes"/>, the first bytes an agent sent, start an HTTP request line.</summary>
    public static bool IsRequest(ReadOnlySpan<byte> firstBytes)
    {
        foreach (byte[] method in s_methods)
        {
            if (firstBytes.StartsWith(method))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the rest of the request head (the first <paramref name="read"/> bytes are in <paramref name="buffer"/>,
    /// which is <see cref="MaxRequestHead"/> long), answers it and returns; the caller closes the connection.
    /// </summary>
    public static async Task AnswerAsync(Stream stream, byte[] buffer, int read, CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (read == buffer.Length)
            {
                await RespondAsync(stream, 431, "Request Header Fields Too Large", """{"error":"request head too large"}""", head: false, cancellationToken).ConfigureAwait(false);
                return;
            }

            int more = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (more == 0)
            {
                return;
            }

            read += more;
        }

        string requestLine = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, headEnd).IndexOf("\r\n"u8) is >= 0 and int lineEnd ? lineEnd : headEnd);
        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            await RespondAsync(stream, 400, "Bad Request", """{"error":"not an HTTP/1.x request line"}""", head: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        (string method, string target) = (parts[0], parts[1]);
        bool head = method == "HEAD";
        int query = target.IndexOf('?', StringComparison.Ordinal);
        string path = query < 0 ? target : target[..query];
        if (path != LicencePath)
        {
            await RespondAsync(stream, 404, "Not Found", """{"error":"not found"}""", head, cancellationToken).ConfigureAwait(false);
        }
        else if (method is not ("GET" or "HEAD"))
        {
            await RespondAsync(stream, 405, "Method Not Allowed", """{"error":"method not allowed"}""", head: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RespondAsync(stream, 200, "OK", LicenceJson, head, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RespondAsync(Stream stream, int status, string reason, string json, bool head, CancellationToken cancellationToken)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        string headers = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\n{(status == 405 ? "Allow: GET, HEAD\r\n" : "")}Connection: close\r\n\r\n");
        byte[] response = [.. Encoding.ASCII.GetBytes(headers), .. head ? [] : body];
        await stream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
