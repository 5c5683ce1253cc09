using System.Net;
using System.Net.Sockets;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Ethereum.Tests.JsonRpc;

public sealed class RpcClientFailureTests
{
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_node_that_is_down_gives_one_clear_error_naming_the_url_and_the_wait()
    {
        var url = new Uri($"http://127.0.0.1:{UnusedPort()}/");
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = url, ReadRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        var error = await Assert.ThrowsAsync<NodeUnreachableException>(() => rpc.CallAsync("eth_chainId"));
        Assert.StartsWith($"cannot reach node at {url} after ", error.Message);
        Assert.Contains(" s ", error.Message);
        Assert.Equal(url, error.Endpoint);
    }

    [Fact]
    public async Task Reads_are_retried_and_sends_are_not()
    {
        using var server = new ScriptedServer(_ => (HttpStatusCode.TooManyRequests, ""));
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = server.Url, ReadRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
        await Assert.ThrowsAsync<RateLimitedException>(() => rpc.CallAsync("eth_blockNumber"));
        Assert.Equal(3, server.Requests);
        await Assert.ThrowsAsync<RateLimitedException>(() => rpc.CallAsync("eth_sendRawTransaction", ["0x00"]));
        Assert.Equal(4, server.Requests);
    }

    [Fact]
    public async Task A_slow_node_times_out_with_a_typed_error()
    {
        using var server = new ScriptedServer(_ => { Thread.Sleep(500); return (HttpStatusCode.OK, """{"jsonrpc":"2.0","id":1,"result":"0x1"}"""); });
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = server.Url, Timeout = TimeSpan.FromMilliseconds(100), ReadRetries = 0 });
        // The server would answer successfully after 500 ms; only our 100 ms timeout can end the call in error.
        var error = await Assert.ThrowsAsync<RpcTimeoutException>(() => rpc.CallAsync("eth_blockNumber"));
        Assert.Contains("timed out", error.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.Timeout);
    }

    [Theory]
    [InlineData(-32000, "nonce too low", typeof(NonceTooLowException))]
    [InlineData(-32603, "Nonce too low. Expected nonce to be 5 but got 3.", typeof(NonceTooLowException))]
    [InlineData(-32000, "replacement transaction underpriced", typeof(ReplacementUnderpricedException))]
    [InlineData(-32603, "Trying to send an incompatible EIP-155 transaction, signed for another chain.", typeof(WrongChainIdException))]
    [InlineData(-32000, "invalid chain id for signer", typeof(WrongChainIdException))]
    [InlineData(-32005, "daily request count exceeded, request rate limited", typeof(RateLimitedException))]
    [InlineData(3, "execution reverted: boom", typeof(ExecutionRevertedException))]
    [InlineData(-32601, "Method not found", typeof(RpcErrorException))]
    public async Task Node_errors_map_to_typed_exceptions(int code, string message, Type expected)
    {
        var body = $$$"""{"jsonrpc":"2.0","id":1,"error":{"code":{{{code}}},"message":"{{{message}}}","data":"0x08c379a0"}}""";
        using var server = new ScriptedServer(_ => (HttpStatusCode.OK, body));
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = server.Url, ReadRetries = 0 });
        var error = await Assert.ThrowsAnyAsync<RpcException>(() => rpc.CallAsync("eth_sendRawTransaction", ["0x00"]));
        Assert.IsType(expected, error);
        if (error is ExecutionRevertedException reverted)
            Assert.Equal([0x08, 0xc3, 0x79, 0xa0], reverted.RevertData);
    }

    [Fact]
    public async Task An_https_url_on_a_plain_http_node_names_the_url_and_the_http_one_to_use()
    {
        using var server = new ScriptedServer(_ => (HttpStatusCode.OK, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}"));
        var https = new Uri($"https://127.0.0.1:{server.Url.Port}/");
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = https, ReadRetries = 0 });
        var error = await Assert.ThrowsAnyAsync<RpcException>(() => rpc.CallAsync("eth_chainId"));
        Assert.StartsWith($"eth_chainId at {https}: the TLS (https) connection failed (", error.Message);
        Assert.EndsWith($"; if the node serves plain http, use http://127.0.0.1:{server.Url.Port}/", error.Message);
    }

    [Fact]
    public void Options_reject_a_non_http_endpoint()
    {
        var error = Assert.Throws<ArgumentException>(() => new RpcClient(new RpcClientOptions { Endpoint = new Uri("ftp://example.org") }));
        Assert.Contains("ftp://example.org", error.Message);
    }

    /// <summary>A tiny HTTP server on a loopback port with a scripted answer, counting requests.</summary>
    private sealed class ScriptedServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<string, (HttpStatusCode, string)> _answer;
        private int _requests;

        public ScriptedServer(Func<string, (HttpStatusCode, string)> answer)
        {
            _answer = answer;
            var port = UnusedPort();
            Url = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Url { get; }
        public int Requests => Volatile.Read(ref _requests);

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                Interlocked.Increment(ref _requests);
                _ = Task.Run(() =>
                {
                    try
                    {
                        using var reader = new StreamReader(context.Request.InputStream);
                        var (status, body) = _answer(reader.ReadToEnd());
                        context.Response.StatusCode = (int)status;
                        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                        context.Response.ContentType = "application/json";
                        context.Response.OutputStream.Write(bytes);
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { }
                });
            }
        }

        public void Dispose() => _listener.Close();
    }
}
