using System.Globalization;
using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Keeper.Execution;

/// <summary>
/// One transaction the keeper means to land exactly once. <see cref="Key"/> is the idempotency
/// key (e.g. "rebalance:{pool}:{cycle}"): executing the same key again never sends a second
/// transaction. The gas limit comes from the Guard step (eth_estimateGas plus a margin).
/// </summary>
public sealed record TransactionIntent
{
    public required string Key { get; init; }

    /// <summary>What the transaction is for ("rebalance", "hedge", "transfer"…), for the journal and metrics.</summary>
    public string Kind { get; init; } = "call";

    public required Address To { get; init; }

    /// <summary>Call data (do not mutate after building).</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>Wei sent with the call.</summary>
    public BigInteger Value { get; init; }

    public required long GasLimit { get; init; }

    /// <summary>An urgent intent is sent whatever the base fee (up to the cap); a non-urgent one waits above the ceiling.</summary>
    public bool Urgent { get; init; }

    /// <summary>The pool the intent acts on, if any: a journal column, so in-flight pools are found without parsing keys.</summary>
    public Address? Pool { get; init; }

    /// <summary>An intent identified by a typed key (kind, pool, block): the key text, kind and pool all come from it.</summary>
    public static TransactionIntent For(IntentKey key, Address to, byte[] data, long gasLimit, bool urgent) => new()
    {
        Key = key.ToString(),
        Kind = key.KindText,
        Pool = key.Pool,
        To = to,
        Data = data,
        GasLimit = gasLimit,
        Urgent = urgent,
    };

    public TransactionIntent Validate()
    {
        if (string.IsNullOrWhiteSpace(Key) || Key.Length > 200)
            throw new ArgumentException($"TransactionIntent.Key '{Key}' must be 1–200 characters, e.g. \"rebalance:{{pool}}:{{cycle}}\".", nameof(Key));
        if (string.IsNullOrWhiteSpace(Kind))
            throw new ArgumentException("TransactionIntent.Kind must not be empty, e.g. \"rebalance\".", nameof(Kind));
        if (GasLimit < 21_000)
            throw new ArgumentOutOfRangeException(nameof(GasLimit), GasLimit, "TransactionIntent.GasLimit must be at least 21000; take it from eth_estimateGas with a margin.");
        if (Value.Sign < 0)
            throw new ArgumentOutOfRangeException(nameof(Value), Value, "TransactionIntent.Value cannot be negative.");
        return this;
    }

    /// <summary>
    /// The intent's payload as canonical JSON (to, data, value, gas limit): what the journal keeps
    /// and compares when the key is reused. Urgency is not part of it; it may change between cycles.
    /// </summary>
    public string PayloadJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["to"] = To.ToLowerHex(),
        ["data"] = Hex.Encode(Data),
        ["value"] = Value.ToString(CultureInfo.InvariantCulture),
        ["gasLimit"] = GasLimit.ToString(CultureInfo.InvariantCulture),
    });
}
