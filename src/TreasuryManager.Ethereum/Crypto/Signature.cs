using System.Numerics;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature (r, s) with its recovery id: bit 0 is the y parity of the nonce
/// point R, bit 1 is set when R.x ≥ n (probability about 2⁻¹²⁸; Ethereum's v cannot carry it).
/// Signatures made by <see cref="EcdsaSigner"/> are always low-s (EIP-2).
/// </summary>
public readonly record struct Signature
{
    public const int Size = 65;

    public Signature(BigInteger r, BigInteger s, int recoveryId)
    {
        if (r.Sign <= 0 || r >= Secp256k1Order)
            throw new EthereumFormatException("Signature r must be between 1 and the curve order minus 1.");
        if (s.Sign <= 0 || s >= Secp256k1Order)
            throw new EthereumFormatException("Signature s must be between 1 and the curve order minus 1.");
        if (recoveryId is < 0 or > 3)
            throw new EthereumFormatException($"Signature recovery id must be 0 to 3, but {recoveryId} was given.");
        R = r;
        S = s;
        RecoveryId = recoveryId;
    }

    internal static readonly BigInteger Secp256k1Order = Secp256k1.ToNumerics(Secp256k1.N);
    internal static readonly BigInteger Secp256k1HalfOrder = Secp256k1.ToNumerics(Secp256k1.HalfN);

    public BigInteger R { get; }
    public BigInteger S { get; }

    /// <summary>0 or 1 (y parity of R); 2 or 3 only in the practically impossible case R.x ≥ n.</summary>
    public int RecoveryId { get; }

    /// <summary>The y parity (0 or 1) as typed transactions carry it.</summary>
    public int YParity => RecoveryId & 1;

    /// <summary>Whether s ≤ n/2, as EIP-2 requires of transaction signatures.</summary>
    public bool IsLowS => S <= Secp256k1HalfOrder;

    /// <summary>Legacy v: 27 + y parity.</summary>
    public int LegacyV => 27 + YParity;

    /// <summary>EIP-155 v: chainId·2 + 35 + y parity.</summary>
    public BigInteger Eip155V(BigInteger chainId)
    {
        if (chainId.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(chainId), chainId, "An EIP-155 chain id must be positive.");
        return chainId * 2 + 35 + YParity;
    }

    public byte[] RBytes => BigEndian.ToFixedBytes(R);
    public byte[] SBytes => BigEndian.ToFixedBytes(S);

    /// <summary>The 65-byte r‖s‖v form (v = 27 or 28), as eth_sign and personal_sign return it.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BigEndian.ToFixedBytes(R).CopyTo(bytes, 0);
        BigEndian.ToFixedBytes(S).CopyTo(bytes, 32);
        bytes[64] = (byte)LegacyV;
        return bytes;
    }

    /// <summary>The 65-byte form as 0x-prefixed hex.</summary>
    public string ToHex() => Hex.Encode(ToBytes());

    public override string ToString() => ToHex();

    /// <summary>
    /// Parses a 65-byte r‖s‖v signature; v may be 0, 1, 27 or 28. High-s signatures are accepted
    /// here (check <see cref="IsLowS"/> where EIP-2 applies).
    /// </summary>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new EthereumFormatException($"A signature is {Size} bytes (r‖s‖v), but {bytes.Length} were given.");
        var v = bytes[64];
        int id = v switch
        {
            0 or 1 => v,
            27 or 28 => v - 27,
            _ => throw new EthereumFormatException($"Signature v byte is {v}; it must be 27 or 28 (or 0 or 1)."),
        };
        return new Signature(BigEndian.ToBigInteger(bytes[..32]), BigEndian.ToBigInteger(bytes[32..64]), id);
    }

    /// <summary>Parses 0x-prefixed hex of a 65-byte signature.</summary>
    public static Signature Parse(string hex) => FromBytes(Hex.Decode(hex, "signature"));

    /// <summary>
    /// A signature from r, s and a v in any of Ethereum's forms: 0/1 (typed transactions),
    /// 27/28 (legacy) or ≥ 35 (EIP-155, chainId·2 + 35 + parity). The chain id encoded in an
    /// EIP-155 v is returned through <paramref name="chainId"/> (null otherwise).
    /// </summary>
    public static Signature FromV(BigInteger r, BigInteger s, BigInteger v, out BigInteger? chainId)
    {
        chainId = null;
        if (v == 0 || v == 1) return new Signature(r, s, (int)v);
        if (v == 27 || v == 28) return new Signature(r, s, (int)(v - 27));
        if (v >= 37)
        {
            chainId = (v - 35) / 2;
            return new Signature(r, s, (int)((v - 35) % 2));
        }
        throw new EthereumFormatException($"Signature v = {v} is not 0, 1, 27, 28 or an EIP-155 value (chainId·2 + 35 or 36).");
    }

    /// <summary>The same signature with s replaced by n − s if it was high; the recovery id flips with it.</summary>
    public Signature Normalize() => IsLowS ? this : new Signature(R, Secp256k1Order - S, RecoveryId ^ 1);
}
