using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace TreasuryManager.Testing;

/// <summary>What the <see cref="FaultProxy"/> does to a request it was told to fault.</summary>
public enum ProxyFault
{
    /// <summary>Holds the request past the client's timeout, then forwards it (the answer finds no one listening).</summary>
    Delay,
    /// <summary>Answers HTTP 500 with a plain-text body; the node never sees the request.</summary>
    Http500,
    /// <summary>Answers HTTP 200 with a body that is not JSON; the node never sees the request.</summary>
    MalformedJson,
    /// <summary>Forwards the request to the node, waits for its answer, then closes the connection without answering.</summary>
    ForwardThenDrop,
}

/// <summary>
/// A loopback HTTP proxy in front of a JSON-RPC node (127.0.0.1, a free port), for fault tests: it forwards every
/// request unchanged, except that requests containing a given JSON-RPC method (alone or anywhere in a batch) can be
/// faulted a counted number of times (<see cref="Inject"/>). <see cref="StopListening"/> closes the port (connection
/// refused) and <see cref="Resume"/> opens the same port again. Every answer carries "Connection: close", so no
/// pooled connection outlives a stop. Dispose to stop it.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Uri _target;
    private readonly HttpClient _forward = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly List<Armed> _armed = [];
    private readonly List<string> _fired = [];
    private readonly List<string> _methods = [];
    private readonly HashSet<TcpClient> _open = [];
    private readonly object _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    private sealed class Armed(ProxyFault fault, string method, int remaining, TimeSpan delay)
    {
        public ProxyFault Fault { get; } = fault;
        public string Method { get; } = method;
        public int Remaining { get; set; } = remaining;
        public TimeSpan Delay { get; } = delay;
    }

    private FaultProxy(Uri target, int port)
    {
        _target = target;
        Port = port;
    }

    /// <summary>Starts a proxy to <paramref name="target"/> on a free loopback port.</summary>
    public static FaultProxy Start(Uri target)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var proxy = new FaultProxy(target, ((IPEndPoint)probe.LocalEndpoint).Port);
        proxy.Listen(probe);
        return proxy;
    }

    public int Port { get; }

    /// <summary>The proxy's URL, to configure as the client's RPC URL.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>Faults fired so far, as "Fault method" (in order).</summary>
    public IReadOnlyList<string> Fired
    {
        get { lock (_lock) return _fired.ToArray(); }
    }

    /// <summary>The JSON-RPC methods of every request received (a batch contributes all of its methods).</summary>
    public IReadOnlyList<string> Methods
    {
        get { lock (_lock) return _methods.ToArray(); }
    }

    /// <summary>How many armed faults have not fired yet.</summary>
    public int PendingFaults
    {
        get { lock (_lock) return _armed.Sum(a => a.Remaining); }
    }

    /// <summary>
    /// Faults the next <paramref name="times"/> requests that contain <paramref name="method"/>. <paramref name="delay"/>
    /// is how long <see cref="ProxyFault.Delay"/> holds a request (default 30 s).
    /// </summary>
    public void Inject(ProxyFault fault, string method, int times = 1, TimeSpan? delay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_lock) _armed.Add(new Armed(fault, method, times, delay ?? TimeSpan.FromSeconds(30)));
    }

    /// <summary>Closes the port and every open connection: the next request is refused.</summary>
    public void StopListening()
    {
        TcpListener? listener;
        TcpClient[] open;
        lock (_lock)
        {
            listener = _listener;
            _listener = null;
            open = _open.ToArray();
            _open.Clear();
        }
        listener?.Stop();
        foreach (var client in open) client.Dispose();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
    }

    /// <summary>Listens on the same port again.</summary>
    public void Resume()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Listen(listener);
    }

    private void Listen(TcpListener listener)
    {
        lock (_lock) _listener = listener;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_disposed.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // stopped
            }
            lock (_lock) _open.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var body = await ReadRequestBodyAsync(stream).ConfigureAwait(false);
            if (body is null) return;
            var methods = MethodsOf(body);
            Armed? fault;
            lock (_lock)
            {
                _methods.AddRange(methods);
                fault = _armed.FirstOrDefault(a => a.Remaining > 0 && methods.Contains(a.Method));
                if (fault is not null)
                {
                    fault.Remaining--;
                    _fired.Add($"{fault.Fault} {fault.Method}");
                }
            }
            switch (fault?.Fault)
            {
                case null:
                    await ForwardAsync(stream, body).ConfigureAwait(false);
                    break;
                case ProxyFault.Delay:
                    await Task.Delay(fault.Delay, _disposed.Token).ConfigureAwait(false);
                    await ForwardAsync(stream, body).ConfigureAwait(false);
                    break;
                case ProxyFault.Http500:
                    await WriteResponseAsync(stream, 500, "Internal Server Error", "text/plain", "upstream failed (injected by FaultProxy)"u8.ToArray()).ConfigureAwait(false);
                    break;
                case ProxyFault.MalformedJson:
                    await WriteResponseAsync(stream, 200, "OK", "application/json", "<html><body>not json (injected by FaultProxy)"u8.ToArray()).ConfigureAwait(false);
                    break;
                case ProxyFault.ForwardThenDrop:
                    await PostToNodeAsync(body).ConfigureAwait(false); // the node acts on it; the answer is thrown away
                    break; // the connection closes below without a response
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or HttpRequestException)
        {
            // the client went away (a timeout), or the proxy stopped
        }
        finally
        {
            lock (_lock) _open.Remove(client);
            client.Dispose();
        }
    }

    private async Task ForwardAsync(NetworkStream stream, byte[] body)
    {
        var (status, reason, answer) = await PostToNodeAsync(body).ConfigureAwait(false);
        await WriteResponseAsync(stream, status, reason, "application/json", answer).ConfigureAwait(false);
    }

    private async Task<(int Status, string Reason, byte[] Body)> PostToNodeAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _forward.PostAsync(_target, content, _disposed.Token).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(_disposed.Token).ConfigureAwait(false);
        return ((int)response.StatusCode, response.ReasonPhrase ?? "", answer);
    }

    private static async Task WriteResponseAsync(NetworkStream stream, int status, string reason, string contentType, byte[] body)
    {
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).ConfigureAwait(false);
        await stream.WriteAsync(body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Reads one HTTP/1.1 request with a Content-Length body; null when the client closed first.</summary>
    private async Task<byte[]?> ReadRequestBodyAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        var received = 0;
        while (true)
        {
            if (received == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var n = await stream.ReadAsync(buffer.AsMemory(received), _disposed.Token).ConfigureAwait(false);
            if (n == 0) return null;
            received += n;
            var headerEnd = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0) continue;
            var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd).Split("\r\n");
            var lengthLine = headers.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                ?? throw new IOException("FaultProxy handles requests with a Content-Length only");
            var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var total = headerEnd + 4 + length;
            while (received < total)
            {
                if (total > buffer.Length) Array.Resize(ref buffer, total);
                n = await stream.ReadAsync(buffer.AsMemory(received, total - received), _disposed.Token).ConfigureAwait(false);
                if (n == 0) return null;
                received += n;
            }
            return buffer.AsSpan(headerEnd + 4, length).ToArray();
        }
    }

    private static List<string> MethodsOf(byte[] body)
    {
        var methods = new List<string>();
        try
        {
            using var json = JsonDocument.Parse(body);
            var items = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToArray() : [json.RootElement];
            foreach (var item in items)
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("method", out var m) && m.GetString() is { } name)
                    methods.Add(name);
        }
        catch (JsonException)
        {
        }
        return methods;
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        StopListening();
        _forward.Dispose();
        _disposed.Dispose();
    }
}
