using System.Numerics;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Rlp;

/// <summary>An RLP item: a byte string (<see cref="RlpString"/>) or a list of items (<see cref="RlpList"/>). Equality is by content.</summary>
public abstract record RlpItem
{
    private protected RlpItem() { }

    /// <summary>This item as a string; a list here is an error naming <paramref name="what"/>.</summary>
    public RlpString AsString(string what = "RLP item") =>
        this as RlpString ?? throw new EthereumFormatException($"{what} is an RLP list, but a byte string was expected.");

    /// <summary>This item as a list; a string here is an error naming <paramref name="what"/>.</summary>
    public RlpList AsList(string what = "RLP item") =>
        this as RlpList ?? throw new EthereumFormatException($"{what} is an RLP byte string, but a list was expected.");

    public static implicit operator RlpItem(byte[] bytes) => new RlpString(bytes);
}

/// <summary>An RLP byte string.</summary>
public sealed record RlpString : RlpItem
{
    public RlpString(ReadOnlySpan<byte> bytes) => Bytes = bytes.ToArray();
    public RlpString(byte[] bytes) => Bytes = (byte[])(bytes ?? throw new ArgumentNullException(nameof(bytes))).Clone();

    public static RlpString Empty { get; } = new(Array.Empty<byte>());

    /// <summary>The bytes (a copy is taken on construction; do not mutate).</summary>
    public byte[] Bytes { get; }

    /// <summary>The canonical RLP integer: minimal big-endian bytes, zero as the empty string.</summary>
    public static RlpString FromInteger(BigInteger value) => new(BigEndian.ToMinimalBytes(value));

    /// <summary>Reads this string as a canonical integer; a leading zero byte is an error naming <paramref name="what"/>.</summary>
    public BigInteger ToInteger(string what = "RLP integer")
    {
        if (Bytes.Length > 0 && Bytes[0] == 0)
            throw new EthereumFormatException($"{what} has a leading zero byte (0x{Convert.ToHexStringLower(Bytes)}); RLP integers are minimal big-endian, with zero as the empty string.");
        return BigEndian.ToBigInteger(Bytes);
    }

    public bool Equals(RlpString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Hex.Encode(Bytes);
}

/// <summary>An RLP list of items.</summary>
public sealed record RlpList : RlpItem
{
    public RlpList(IEnumerable<RlpItem> items) => Items = items.ToArray();
    public RlpList(params RlpItem[] items) => Items = (RlpItem[])items.Clone();

    public IReadOnlyList<RlpItem> Items { get; }

    public int Count => Items.Count;
    public RlpItem this[int index] => Items[index];

    public bool Equals(RlpList? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items) hash.Add(item);
        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}
