using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>A block tag or number for state reads.</summary>
public readonly record struct BlockTag(string Value)
{
    public static BlockTag Latest { get; } = new("latest");
    public static BlockTag Pending { get; } = new("pending");
    public static BlockTag Safe { get; } = new("safe");
    public static BlockTag Finalized { get; } = new("finalized");
    public static BlockTag Earliest { get; } = new("earliest");
    public static BlockTag Number(long number) => new(Quantity.Encode(number));
    public override string ToString() => Value;
}

/// <summary>The fields of an eth_call or eth_estimateGas request.</summary>
public sealed record CallRequest
{
    public Address? From { get; init; }
    public Address? To { get; init; }
    public byte[] Data { get; init; } = [];
    public BigInteger Value { get; init; }
    public long? Gas { get; init; }

    /// <summary>The JSON-RPC call object (for batches).</summary>
    public Dictionary<string, string> ToJson()
    {
        var json = new Dictionary<string, string>();
        if (From is { } from) json["from"] = from.ToLowerHex();
        if (To is { } to) json["to"] = to.ToLowerHex();
        if (Data.Length > 0) json["data"] = Hex.Encode(Data);
        if (!Value.IsZero) json["value"] = Quantity.Encode(Value);
        if (Gas is { } gas) json["gas"] = Quantity.Encode(gas);
        return json;
    }
}

/// <summary>One event log.</summary>
public sealed record LogEntry(
    Address Address,
    IReadOnlyList<byte[]> Topics,
    byte[] Data,
    long BlockNumber,
    string TransactionHash,
    long LogIndex,
    bool Removed)
{
    public static LogEntry FromJson(JsonElement e) => new(
        Address.Parse(e.GetProperty("address").GetString()!, "log address"),
        e.GetProperty("topics").EnumerateArray().Select(t => Hex.Decode(t.GetString()!, "log topic")).ToArray(),
        Hex.Decode(e.GetProperty("data").GetString()!, "log data"),
        e.TryGetProperty("blockNumber", out var bn) && bn.ValueKind == JsonValueKind.String ? Quantity.DecodeLong(bn.GetString()!) : -1,
        e.TryGetProperty("transactionHash", out var th) && th.ValueKind == JsonValueKind.String ? th.GetString()! : "",
        e.TryGetProperty("logIndex", out var li) && li.ValueKind == JsonValueKind.String ? Quantity.DecodeLong(li.GetString()!) : -1,
        e.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True);
}

/// <summary>A mined transaction's receipt.</summary>
public sealed record TransactionReceipt(
    string TransactionHash,
    long BlockNumber,
    string BlockHash,
    Address From,
    Address? To,
    Address? ContractAddress,
    bool Succeeded,
    long GasUsed,
    BigInteger EffectiveGasPrice,
    IReadOnlyList<LogEntry> Logs)
{
    public static TransactionReceipt FromJson(JsonElement e) => new(
        e.GetProperty("transactionHash").GetString()!,
        Quantity.DecodeLong(e.GetProperty("blockNumber").GetString()!),
        e.GetProperty("blockHash").GetString()!,
        Address.Parse(e.GetProperty("from").GetString()!),
        OptionalAddress(e, "to"),
        OptionalAddress(e, "contractAddress"),
        Quantity.Decode(e.GetProperty("status").GetString()!) == 1,
        Quantity.DecodeLong(e.GetProperty("gasUsed").GetString()!),
        e.TryGetProperty("effectiveGasPrice", out var p) && p.ValueKind == JsonValueKind.String ? Quantity.Decode(p.GetString()!) : BigInteger.Zero,
        e.GetProperty("logs").EnumerateArray().Select(LogEntry.FromJson).ToArray());

    private static Address? OptionalAddress(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Address.Parse(v.GetString()!, name) : null;
}

/// <summary>The header fields of a block that the keeper uses.</summary>
public sealed record BlockHeader(long Number, string Hash, DateTimeOffset Timestamp, BigInteger? BaseFeePerGas, long GasLimit, long GasUsed)
{
    public static BlockHeader FromJson(JsonElement e) => new(
        Quantity.DecodeLong(e.GetProperty("number").GetString()!),
        e.GetProperty("hash").GetString()!,
        DateTimeOffset.FromUnixTimeSeconds(Quantity.DecodeLong(e.GetProperty("timestamp").GetString()!)),
        e.TryGetProperty("baseFeePerGas", out var b) && b.ValueKind == JsonValueKind.String ? Quantity.Decode(b.GetString()!) : null,
        Quantity.DecodeLong(e.GetProperty("gasLimit").GetString()!),
        Quantity.DecodeLong(e.GetProperty("gasUsed").GetString()!));
}
