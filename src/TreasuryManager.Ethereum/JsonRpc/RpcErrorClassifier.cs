using System.Text.Json;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>
/// Maps a node's JSON-RPC error object to a typed exception. Hardhat, anvil and geth word their
/// errors differently; the patterns below cover the three.
/// </summary>
internal static class RpcErrorClassifier
{
    public static RpcException Classify(string method, Uri endpoint, JsonElement error)
    {
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt64(out var cv) ? cv : 0;
        var nodeMessage = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        string? data = error.TryGetProperty("data", out var d) ? d.GetRawText() : null;
        var lower = nodeMessage.ToLowerInvariant();
        var prefix = $"{method} at {endpoint}: ";

        if (code == 3 || lower.Contains("revert", StringComparison.Ordinal) || lower.Contains("invalid opcode", StringComparison.Ordinal))
        {
            var revertData = ExtractRevertData(error);
            return new ExecutionRevertedException(prefix + "execution reverted: " + nodeMessage, method, code, nodeMessage, data, revertData);
        }
        if (lower.Contains("nonce too low", StringComparison.Ordinal) || lower.Contains("nonce is too low", StringComparison.Ordinal))
            return new NonceTooLowException(prefix + "nonce too low; resynchronise the account's nonce and sign again. Node said: " + nodeMessage, method, code, nodeMessage, data);
        if (lower.Contains("underpriced", StringComparison.Ordinal))
            return new ReplacementUnderpricedException(prefix + "replacement underpriced; raise both fees by at least 12.5% over the pending transaction. Node said: " + nodeMessage, method, code, nodeMessage, data);
        if (lower.Contains("chain id", StringComparison.Ordinal) || lower.Contains("chainid", StringComparison.Ordinal) || lower.Contains("another chain", StringComparison.Ordinal) || lower.Contains("incompatible eip155", StringComparison.Ordinal))
            return new WrongChainIdException(prefix + "wrong chain id; sign for the node's chain (eth_chainId). Node said: " + nodeMessage, method, code, nodeMessage, data);
        if (code == -32005 || lower.Contains("rate limit", StringComparison.Ordinal) || lower.Contains("too many requests", StringComparison.Ordinal))
            return new RateLimitedException(prefix + "rate limited by the node; slow down or use another endpoint. Node said: " + nodeMessage, method, null);
        return new RpcErrorException(prefix + $"error {code}: {nodeMessage}", method, code, nodeMessage, data);
    }

    /// <summary>
    /// Revert data lives in error.data as a hex string (geth, anvil), or in error.data.data
    /// (Hardhat), sometimes under error.data.originalError.data.
    /// </summary>
    internal static byte[] ExtractRevertData(JsonElement error)
    {
        if (!error.TryGetProperty("data", out var data)) return [];
        foreach (var candidate in Candidates(data))
            if (candidate.ValueKind == JsonValueKind.String && Hex.IsHex(candidate.GetString()) && candidate.GetString()!.Length % 2 == 0)
                return Hex.Decode(candidate.GetString()!);
        return [];

        static IEnumerable<JsonElement> Candidates(JsonElement data)
        {
            yield return data;
            if (data.ValueKind != JsonValueKind.Object) yield break;
            if (data.TryGetProperty("data", out var inner)) yield return inner;
            if (data.TryGetProperty("originalError", out var original) && original.ValueKind == JsonValueKind.Object && original.TryGetProperty("data", out var od))
                yield return od;
        }
    }
}
