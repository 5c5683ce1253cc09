namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>Settings of a JSON-RPC connection, validated when the client is made.</summary>
public sealed record RpcClientOptions
{
    /// <summary>The node's HTTP endpoint, e.g. http://127.0.0.1:8545.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>How long one attempt of one call (or batch) may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times an idempotent read is retried after a transport failure, a timeout or rate limiting. Sends are never retried.</summary>
    public int ReadRetries { get; init; } = 3;

    /// <summary>The first retry's delay; later ones back off exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Called on every transport fault (unreachable, timeout, rate limited, HTTP 5xx, malformed answer): with
    /// <c>willRetry</c> true when a read is about to be retried. For logs and metrics; must not throw.
    /// </summary>
    public Action<RpcFault>? OnFault { get; init; }

    public void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"RPC endpoint '{Endpoint}' must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8545.", nameof(Endpoint));
        if (Timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "RPC timeout must be positive.");
        if (ReadRetries is < 0 or > 20)
            throw new ArgumentOutOfRangeException(nameof(ReadRetries), ReadRetries, "RPC read retries must be between 0 and 20.");
        if (RetryBaseDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay, "RPC retry delay cannot be negative.");
    }
}

/// <summary>One transport fault of a JSON-RPC request: its method (or batch), the error, and whether it will be retried.</summary>
public sealed record RpcFault(string Method, RpcException Error, int Attempt, bool WillRetry)
{
    /// <summary>A short kind for metrics: unreachable, timeout, rate_limited, http_5xx, malformed.</summary>
    public string Kind => Error switch
    {
        NodeUnreachableException => "unreachable",
        RpcTimeoutException => "timeout",
        RateLimitedException => "rate_limited",
        RpcTransportException { HttpStatus: not null } => "http_5xx",
        RpcTransportException => "malformed",
        _ => "other",
    };
}
