using System.Numerics;

namespace TreasuryManager.Ethereum.Encoding;

/// <summary>Unsigned big-endian byte forms of integers, as Ethereum's encodings use them.</summary>
public static class BigEndian
{
    /// <summary>The minimal unsigned big-endian bytes of a non-negative integer (zero is empty).</summary>
    public static byte[] ToMinimalBytes(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "Value must be non-negative.");
        return value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The unsigned big-endian bytes left-padded to <paramref name="length"/>.</summary>
    public static byte[] ToFixedBytes(BigInteger value, int length = 32)
    {
        var minimal = ToMinimalBytes(value);
        if (minimal.Length > length) throw new ArgumentOutOfRangeException(nameof(value), $"Value needs {minimal.Length} bytes, more than {length}.");
        var result = new byte[length];
        minimal.CopyTo(result, length - minimal.Length);
        return result;
    }

    public static BigInteger ToBigInteger(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);
}
