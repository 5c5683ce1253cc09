using System.Numerics;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Rlp;

namespace TreasuryManager.Ethereum.Transactions;

/// <summary>The transaction envelope types (EIP-2718).</summary>
public enum TransactionType : byte
{
    /// <summary>Untyped RLP list, pre-EIP-155 or EIP-155.</summary>
    Legacy = 0,
    /// <summary>EIP-2930 (Berlin): access lists.</summary>
    AccessList = 1,
    /// <summary>EIP-1559 (London): priority fee and fee cap.</summary>
    DynamicFee = 2,
    /// <summary>EIP-4844 (Cancun) blob transactions: not supported here.</summary>
    Blob = 3,
}

/// <summary>
/// An unsigned Ethereum transaction. Immutable; build with an object initialiser, then
/// <see cref="Sign"/>. Missing fields default as ethers does: zero, empty data, no recipient
/// (<see cref="To"/> null means contract creation). Equality is by content.
/// </summary>
public abstract record Transaction
{
    private protected Transaction() { }

    public abstract TransactionType Type { get; }

    public BigInteger Nonce { get; init; }
    public BigInteger GasLimit { get; init; }
    /// <summary>The recipient; null creates a contract from <see cref="Data"/>.</summary>
    public Address? To { get; init; }
    /// <summary>Wei sent.</summary>
    public BigInteger Value { get; init; }
    /// <summary>Call data or init code (do not mutate after building).</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>The serialisation that is hashed for signing (the typed envelope included for types 1 and 2).</summary>
    public abstract byte[] EncodeUnsigned();

    /// <summary>The signed serialisation ("raw transaction") with <paramref name="signature"/>.</summary>
    public abstract byte[] EncodeSigned(Signature signature);

    /// <summary>keccak256 of <see cref="EncodeUnsigned"/>: the 32-byte hash the sender signs.</summary>
    public byte[] SigningHash() => Keccak256.Hash(EncodeUnsigned());

    /// <summary>Signs with <paramref name="key"/> (RFC 6979, low-s).</summary>
    public SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(SigningHash());
        return new SignedTransaction(this, signature, EncodeSigned(signature), key.Address);
    }

    /// <summary>Attaches an existing signature (e.g. from a hardware signer); the sender is recovered from it.</summary>
    public SignedTransaction WithSignature(Signature signature)
    {
        var raw = EncodeSigned(signature);
        return new SignedTransaction(this, signature, raw, EcdsaSigner.RecoverAddress(SigningHash(), signature));
    }

    /// <summary>Decodes a raw signed transaction of any supported type; see <see cref="TransactionDecoder"/>.</summary>
    public static SignedTransaction DecodeSigned(ReadOnlySpan<byte> raw) => TransactionDecoder.DecodeSigned(raw);

    /// <summary>Decodes an unsigned serialisation (as <see cref="EncodeUnsigned"/> gives).</summary>
    public static Transaction DecodeUnsigned(ReadOnlySpan<byte> encoded) => TransactionDecoder.DecodeUnsigned(encoded);

    public virtual bool Equals(Transaction? other) =>
        other is not null && EqualityContract == other.EqualityContract &&
        Nonce == other.Nonce && GasLimit == other.GasLimit && To == other.To && Value == other.Value &&
        Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(EqualityContract);
        hash.Add(Nonce);
        hash.Add(GasLimit);
        hash.Add(To);
        hash.Add(Value);
        hash.AddBytes(Data);
        return hash.ToHashCode();
    }

    // ---- shared serialisation helpers ----

    private protected static RlpString Int(BigInteger value, string field) =>
        value.Sign < 0
            ? throw new ArgumentOutOfRangeException(field, value, $"Transaction field {field} cannot be negative.")
            : RlpString.FromInteger(value);

    private protected RlpString ToItem() => To is { } to ? new RlpString(to.Bytes) : RlpString.Empty;

    private protected static RlpList AccessListItem(IReadOnlyList<AccessListEntry> accessList) =>
        new(accessList.Select(e => (RlpItem)new RlpList(
            new RlpString(e.Address.Bytes),
            new RlpList(e.StorageKeys.Select(k => (RlpItem)new RlpString(k))))));

    private protected static byte[] Typed(TransactionType type, RlpList body)
    {
        var encoded = RlpCodec.Encode(body);
        var result = new byte[encoded.Length + 1];
        result[0] = (byte)type;
        encoded.CopyTo(result, 1);
        return result;
    }

    private protected static RlpItem[] SignatureItems(Signature signature)
    {
        RequireEncodable(signature);
        return [RlpString.FromInteger(signature.YParity), RlpString.FromInteger(signature.R), RlpString.FromInteger(signature.S)];
    }

    private protected static void RequireEncodable(Signature signature)
    {
        if (signature.RecoveryId > 1)
            throw new ArgumentException("The signature's recovery id is 2 or 3 (R.x ≥ n), which a transaction's v cannot carry.", nameof(signature));
        if (!signature.IsLowS)
            throw new ArgumentException("The signature has a high s; Ethereum transactions need s ≤ n/2 (EIP-2). Use Signature.Normalize().", nameof(signature));
    }

    private protected static bool ListEquals(IReadOnlyList<AccessListEntry> a, IReadOnlyList<AccessListEntry> b) => a.SequenceEqual(b);

    private protected static void AddList(ref HashCode hash, IReadOnlyList<AccessListEntry> list)
    {
        foreach (var entry in list) hash.Add(entry);
    }

    public override string ToString() =>
        $"{GetType().Name} {{ Nonce = {Nonce}, GasLimit = {GasLimit}, To = {(To?.ToString() ?? "(create)")}, Value = {Value}, Data = {Hex.Encode(Data.AsSpan(0, Math.Min(Data.Length, 36)))}{(Data.Length > 36 ? "…" : "")} }}";
}

/// <summary>
/// An untyped transaction. With <see cref="ChainId"/> set it is EIP-155 (replay-protected; v =
/// chainId·2 + 35 + parity); with it null it is the original form (v = 27 + parity).
/// </summary>
public sealed record LegacyTransaction : Transaction
{
    private readonly BigInteger? _chainId;

    public override TransactionType Type => TransactionType.Legacy;

    /// <summary>The EIP-155 chain id, or null for a pre-EIP-155 transaction. Must be positive when set.</summary>
    public BigInteger? ChainId
    {
        get => _chainId;
        init => _chainId = value is { Sign: <= 0 }
            ? throw new ArgumentOutOfRangeException(nameof(ChainId), value, "An EIP-155 chain id must be positive; use null for a pre-EIP-155 transaction.")
            : value;
    }

    public BigInteger GasPrice { get; init; }

    private List<RlpItem> Fields() =>
    [
        Int(Nonce, nameof(Nonce)), Int(GasPrice, nameof(GasPrice)), Int(GasLimit, nameof(GasLimit)),
        ToItem(), Int(Value, nameof(Value)), new RlpString(Data),
    ];

    public override byte[] EncodeUnsigned()
    {
        var fields = Fields();
        if (ChainId is { } chainId) fields.AddRange([RlpString.FromInteger(chainId), RlpString.Empty, RlpString.Empty]);
        return RlpCodec.Encode(new RlpList(fields));
    }

    public override byte[] EncodeSigned(Signature signature)
    {
        RequireEncodable(signature);
        var fields = Fields();
        var v = ChainId is { } chainId ? signature.Eip155V(chainId) : signature.LegacyV;
        fields.AddRange([RlpString.FromInteger(v), RlpString.FromInteger(signature.R), RlpString.FromInteger(signature.S)]);
        return RlpCodec.Encode(new RlpList(fields));
    }

    public bool Equals(LegacyTransaction? other) =>
        base.Equals(other) && ChainId == other!.ChainId && GasPrice == other.GasPrice;

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), ChainId, GasPrice);
}

/// <summary>An EIP-2718 typed transaction: the type byte followed by the RLP list of its fields.</summary>
public abstract record TypedTransaction : Transaction
{
    private protected TypedTransaction() { }

    /// <summary>The type's fields in order, without the signature.</summary>
    private protected abstract List<RlpItem> Fields();

    public sealed override byte[] EncodeUnsigned() => Typed(Type, new RlpList(Fields()));

    public sealed override byte[] EncodeSigned(Signature signature)
    {
        var fields = Fields();
        fields.AddRange(SignatureItems(signature));
        return Typed(Type, new RlpList(fields));
    }
}

/// <summary>An EIP-2930 (type 1, Berlin) transaction: a gas price and an access list.</summary>
public sealed record AccessListTransaction : TypedTransaction
{
    public override TransactionType Type => TransactionType.AccessList;

    public BigInteger ChainId { get; init; }
    public BigInteger GasPrice { get; init; }
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    private protected override List<RlpItem> Fields() =>
    [
        Int(ChainId, nameof(ChainId)), Int(Nonce, nameof(Nonce)), Int(GasPrice, nameof(GasPrice)), Int(GasLimit, nameof(GasLimit)),
        ToItem(), Int(Value, nameof(Value)), new RlpString(Data), AccessListItem(AccessList),
    ];

    public bool Equals(AccessListTransaction? other) =>
        base.Equals(other) && ChainId == other!.ChainId && GasPrice == other.GasPrice && ListEquals(AccessList, other.AccessList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(base.GetHashCode());
        hash.Add(ChainId);
        hash.Add(GasPrice);
        AddList(ref hash, AccessList);
        return hash.ToHashCode();
    }
}

/// <summary>An EIP-1559 (type 2, London) transaction: a priority fee (tip) and a fee cap per gas.</summary>
public sealed record Eip1559Transaction : TypedTransaction
{
    public override TransactionType Type => TransactionType.DynamicFee;

    public BigInteger ChainId { get; init; }
    public BigInteger MaxPriorityFeePerGas { get; init; }
    public BigInteger MaxFeePerGas { get; init; }
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    private protected override List<RlpItem> Fields() =>
    [
        Int(ChainId, nameof(ChainId)), Int(Nonce, nameof(Nonce)),
        Int(MaxPriorityFeePerGas, nameof(MaxPriorityFeePerGas)), Int(MaxFeePerGas, nameof(MaxFeePerGas)), Int(GasLimit, nameof(GasLimit)),
        ToItem(), Int(Value, nameof(Value)), new RlpString(Data), AccessListItem(AccessList),
    ];

    public bool Equals(Eip1559Transaction? other) =>
        base.Equals(other) && ChainId == other!.ChainId && MaxPriorityFeePerGas == other.MaxPriorityFeePerGas &&
        MaxFeePerGas == other.MaxFeePerGas && ListEquals(AccessList, other.AccessList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(base.GetHashCode());
        hash.Add(ChainId);
        hash.Add(MaxPriorityFeePerGas);
        hash.Add(MaxFeePerGas);
        AddList(ref hash, AccessList);
        return hash.ToHashCode();
    }
}
