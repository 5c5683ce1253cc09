using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Transactions;

/// <summary>
/// A signed transaction: the transaction, its signature, the raw serialisation to broadcast
/// (eth_sendRawTransaction), its hash keccak256(raw) and the sender. Equality is by raw bytes.
/// </summary>
public sealed record SignedTransaction
{
    internal SignedTransaction(Transaction transaction, Signature signature, byte[] raw, Address sender)
    {
        Transaction = transaction;
        Signature = signature;
        Raw = raw;
        Hash = Keccak256.Hash(raw);
        Sender = sender;
    }

    public Transaction Transaction { get; }
    public Signature Signature { get; }
    /// <summary>The signed serialisation (do not mutate).</summary>
    public byte[] Raw { get; }
    /// <summary>The transaction hash, keccak256(raw) (do not mutate).</summary>
    public byte[] Hash { get; }
    /// <summary>The address that signed (recovered from the signature when decoded).</summary>
    public Address Sender { get; }

    public TransactionType Type => Transaction.Type;
    public string RawHex => Hex.Encode(Raw);
    public string HashHex => Hex.Encode(Hash);

    /// <summary>Decodes a raw signed transaction (legacy, EIP-155, type 1 or type 2) and recovers its sender.</summary>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw) => TransactionDecoder.DecodeSigned(raw);

    /// <summary>Decodes 0x-prefixed hex of a raw signed transaction.</summary>
    public static SignedTransaction Decode(string rawHex) => TransactionDecoder.DecodeSigned(Hex.Decode(rawHex, "raw transaction"));

    public bool Equals(SignedTransaction? other) => other is not null && Raw.AsSpan().SequenceEqual(other.Raw);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Raw);
        return hash.ToHashCode();
    }

    public override string ToString() => $"SignedTransaction {{ Type = {Type}, Hash = {HashHex}, Sender = {Sender} }}";
}
