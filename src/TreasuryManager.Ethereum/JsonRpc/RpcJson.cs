using System.Text.Json;
using System.Text.Json.Serialization;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>The JSON settings for JSON-RPC parameters and results.</summary>
public static class RpcJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
