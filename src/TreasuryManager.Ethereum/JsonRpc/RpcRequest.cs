using System.Text.Json;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>One JSON-RPC call: a method and its positional parameters (serialised with System.Text.Json).</summary>
public sealed record RpcRequest(string Method, params object?[] Params);

/// <summary>The outcome of one call in a batch: its result, or the typed error it ended in.</summary>
public sealed record RpcResponse(RpcRequest Request, JsonElement? Result, RpcException? Error)
{
    /// <summary>The result, or the call's typed error thrown.</summary>
    public JsonElement GetResult() => Error is not null ? throw Error : Result!.Value;
}
