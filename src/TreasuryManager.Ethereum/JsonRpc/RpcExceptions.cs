namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>Base of every error a JSON-RPC call can end in. Messages name the node and the method.</summary>
public class RpcException : Exception
{
    public RpcException(string message, string method, Exception? inner = null) : base(message, inner) => Method = method;

    /// <summary>The JSON-RPC method that failed.</summary>
    public string Method { get; }
}

/// <summary>The node could not be reached (connection refused, DNS, reset) within the allowed time.</summary>
public sealed class NodeUnreachableException(string message, string method, Uri endpoint, Exception? inner = null)
    : RpcException(message, method, inner)
{
    public Uri Endpoint { get; } = endpoint;
}

/// <summary>The call did not complete within the configured timeout.</summary>
public sealed class RpcTimeoutException(string message, string method, TimeSpan timeout, Exception? inner = null)
    : RpcException(message, method, inner)
{
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The node answered with a JSON-RPC error object.</summary>
public class RpcErrorException(string message, string method, long code, string nodeMessage, string? data)
    : RpcException(message, method)
{
    /// <summary>The JSON-RPC error code.</summary>
    public long Code { get; } = code;
    /// <summary>The node's own error text.</summary>
    public string NodeMessage { get; } = nodeMessage;
    /// <summary>The error's data member as raw JSON text, if any.</summary>
    public string? ErrorData { get; } = data;
}

/// <summary>Execution reverted (in eth_call, eth_estimateGas or eth_sendRawTransaction).</summary>
public sealed class ExecutionRevertedException(string message, string method, long code, string nodeMessage, string? data, byte[] revertData)
    : RpcErrorException(message, method, code, nodeMessage, data)
{
    /// <summary>The raw revert data returned by the contract (empty when the node gave none).</summary>
    public byte[] RevertData { get; } = revertData;

    /// <summary>The decoded reason, when a caller with the contract's ABI has decoded it; else null.</summary>
    public string? Reason { get; init; }
}

/// <summary>The transaction's nonce is below the account's next nonce: resynchronise the nonce.</summary>
public sealed class NonceTooLowException(string message, string method, long code, string nodeMessage, string? data)
    : RpcErrorException(message, method, code, nodeMessage, data);

/// <summary>A transaction with the same nonce is pending and the new fees do not outbid it enough.</summary>
public sealed class ReplacementUnderpricedException(string message, string method, long code, string nodeMessage, string? data)
    : RpcErrorException(message, method, code, nodeMessage, data);

/// <summary>The transaction was signed for a different chain than the node's.</summary>
public sealed class WrongChainIdException(string message, string method, long code, string nodeMessage, string? data)
    : RpcErrorException(message, method, code, nodeMessage, data);

/// <summary>The node (or its provider) refused the call for rate limiting (HTTP 429 or error -32005).</summary>
public sealed class RateLimitedException(string message, string method, TimeSpan? retryAfter)
    : RpcException(message, method)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The node (or a proxy in front of it) answered with something that is not a JSON-RPC response: an HTTP 5xx
/// error, or a body that is not JSON. Idempotent reads are retried; sends are not.
/// </summary>
public sealed class RpcTransportException(string message, string method, int? httpStatus, Exception? inner = null)
    : RpcException(message, method, inner)
{
    public int? HttpStatus { get; } = httpStatus;
}
