using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>
/// A JSON-RPC 2.0 client over HTTP: single calls and batches, a timeout per attempt, caller
/// cancellation, typed errors, and retries (Polly) for idempotent reads only — a send is never
/// retried by this layer, because a retry could broadcast twice.
/// </summary>
public sealed class RpcClient : IDisposable
{
    /// <summary>Methods that read state and may be repeated without effect.</summary>
    public static readonly IReadOnlySet<string> IdempotentMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBalance", "eth_getCode",
        "eth_getStorageAt", "eth_getTransactionCount", "eth_call", "eth_estimateGas", "eth_gasPrice",
        "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_getBlockByNumber", "eth_getBlockByHash",
        "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getLogs", "eth_syncing",
    };

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ResiliencePipeline _readPipeline;
    private long _nextId;

    public RpcClient(RpcClientOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _http.Timeout = Timeout.InfiniteTimeSpan; // our own per-attempt timeout applies
        _readPipeline = options.ReadRetries == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder()
                        .Handle<NodeUnreachableException>()
                        .Handle<RpcTimeoutException>()
                        .Handle<RateLimitedException>()
                        .Handle<RpcTransportException>(),
                    MaxRetryAttempts = options.ReadRetries,
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        if (args.Outcome.Exception is RpcException e)
                            Options.OnFault?.Invoke(new RpcFault(e.Method, e, args.AttemptNumber + 1, WillRetry: true));
                        return ValueTask.CompletedTask;
                    },
                    DelayGenerator = static args => args.Outcome.Exception is RateLimitedException { RetryAfter: { } after }
                        ? ValueTask.FromResult<TimeSpan?>(after)
                        : ValueTask.FromResult<TimeSpan?>(null),
                })
                .Build();
    }

    public RpcClientOptions Options { get; }

    public Uri Endpoint => Options.Endpoint;

    /// <summary>Calls one method and returns its result element (typed error on failure).</summary>
    public async Task<JsonElement> CallAsync(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        var responses = await SendAsync([new RpcRequest(method, parameters)], batch: false, cancellationToken).ConfigureAwait(false);
        return responses[0].GetResult();
    }

    public Task<JsonElement> CallAsync(string method, CancellationToken cancellationToken = default) =>
        CallAsync(method, [], cancellationToken);

    /// <summary>Calls one method and deserialises its result.</summary>
    public async Task<T> CallAsync<T>(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        var element = await CallAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        return element.Deserialize<T>(RpcJson.Options)!;
    }

    /// <summary>
    /// Sends the requests as one JSON-RPC batch (one HTTP round trip). The responses come back in
    /// request order; each carries its own result or typed error. Retried only when every request
    /// is an idempotent read.
    /// </summary>
    public Task<IReadOnlyList<RpcResponse>> BatchAsync(IReadOnlyList<RpcRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) return Task.FromResult<IReadOnlyList<RpcResponse>>([]);
        return SendAsync(requests, batch: true, cancellationToken);
    }

    private async Task<IReadOnlyList<RpcResponse>> SendAsync(IReadOnlyList<RpcRequest> requests, bool batch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var method = batch ? $"batch of {requests.Count} ({requests[0].Method}{(requests.Count > 1 ? ", …" : "")})" : requests[0].Method;
        var idempotent = requests.All(r => IdempotentMethods.Contains(r.Method));
        try
        {
            if (!idempotent)
                return await SendOnceAsync(requests, batch, method, cancellationToken).ConfigureAwait(false);
            return await _readPipeline.ExecuteAsync(
                async ct => await SendOnceAsync(requests, batch, method, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e is NodeUnreachableException or RpcTimeoutException or RateLimitedException or RpcTransportException && ReportFinal(e))
        {
            throw; // never reached: ReportFinal returns false
        }
        catch (NodeUnreachableException e)
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            throw new NodeUnreachableException(
                $"cannot reach node at {Endpoint} after {seconds:0.#} s ({e.InnerException?.Message ?? "no answer"}); check that the node is running and the URL is right.",
                e.Method, Endpoint, e.InnerException);
        }
    }

    private bool ReportFinal(RpcException e)
    {
        Options.OnFault?.Invoke(new RpcFault(e.Method, e, 0, WillRetry: false));
        return false;
    }

    private async Task<IReadOnlyList<RpcResponse>> SendOnceAsync(IReadOnlyList<RpcRequest> requests, bool batch, string method, CancellationToken cancellationToken)
    {
        var firstId = Interlocked.Add(ref _nextId, requests.Count) - requests.Count + 1;
        var body = Serialise(requests, batch, firstId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        HttpResponseMessage response;
        string text;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            response = await _http.PostAsync(Endpoint, content, timeout.Token).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcTimeoutException($"{method} at {Endpoint} timed out after {Options.Timeout.TotalSeconds:0.#} s; the node is slow or stuck — raise the timeout or check the node.", method, Options.Timeout, e);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ResponseEnded)
        {
            throw new NodeUnreachableException($"cannot reach node at {Endpoint}", method, Endpoint, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            var plain = Endpoint.Scheme == Uri.UriSchemeHttps ? $"; if the node serves plain http, use http://{Endpoint.Authority}{Endpoint.PathAndQuery}" : "";
            throw new RpcException($"{method} at {Endpoint}: the TLS (https) connection failed ({e.InnerException?.Message ?? e.Message}){plain}", method, e);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException($"{method} at {Endpoint}: {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}", method, e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new RateLimitedException($"{method} at {Endpoint}: rate limited (HTTP 429); slow down or use another endpoint.", method, response.Headers.RetryAfter?.Delta);
            if ((int)response.StatusCode >= 500 && !LooksLikeJsonRpc(text))
                throw new RpcTransportException($"{method} at {Endpoint}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(string.IsNullOrWhiteSpace(text) ? " with an empty body" : $" ({Shorten(text)})")}; the node or a proxy in front of it failed.", method, (int)response.StatusCode);
            if (!response.IsSuccessStatusCode && string.IsNullOrWhiteSpace(text))
                throw new RpcException($"{method} at {Endpoint}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} with an empty body.", method);
            return ParseResponses(requests, firstId, method, text);
        }
    }

    private static byte[] Serialise(IReadOnlyList<RpcRequest> requests, bool batch, long firstId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (batch) writer.WriteStartArray();
            for (var i = 0; i < requests.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc", "2.0");
                writer.WriteNumber("id", firstId + i);
                writer.WriteString("method", requests[i].Method);
                writer.WritePropertyName("params");
                JsonSerializer.Serialize(writer, requests[i].Params, RpcJson.Options);
                writer.WriteEndObject();
            }
            if (batch) writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private IReadOnlyList<RpcResponse> ParseResponses(IReadOnlyList<RpcRequest> requests, long firstId, string method, string text)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e)
        {
            throw new RpcTransportException($"{method} at {Endpoint}: the answer is not JSON ({Shorten(text)}); is the URL a JSON-RPC endpoint?", method, null, e);
        }
        using (document)
        {
            var root = document.RootElement;
            var results = new RpcResponse?[requests.Count];
            // An error for the whole request (a parse error, a provider refusing batches) comes back as one object with a null id.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var whole)
                && (!root.TryGetProperty("id", out var wholeId) || wholeId.ValueKind == JsonValueKind.Null))
                throw RpcErrorClassifier.Classify(method, Endpoint, whole);
            var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToArray() : [root];
            foreach (var item in items)
            {
                if (!item.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id)) continue;
                var index = id - firstId;
                if (index < 0 || index >= requests.Count) continue;
                var request = requests[(int)index];
                results[index] = item.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null
                    ? new RpcResponse(request, null, RpcErrorClassifier.Classify(request.Method, Endpoint, error))
                    : item.TryGetProperty("result", out var result)
                        ? new RpcResponse(request, result.Clone(), null)
                        : new RpcResponse(request, null, new RpcException($"{request.Method} at {Endpoint}: the answer has neither a result nor an error.", request.Method));
            }
            for (var i = 0; i < results.Length; i++)
                if (results[i] is null)
                    throw new RpcException($"{method} at {Endpoint}: the node's answer has no response for request {i} ({requests[i].Method}).", requests[i].Method);
            return results!;
        }
    }

    private static bool LooksLikeJsonRpc(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var first = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().FirstOrDefault() : doc.RootElement;
            return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("jsonrpc", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
