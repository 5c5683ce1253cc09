using System.Numerics;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace TreasuryManager.Ethereum.Crypto;

/// <summary>The secp256k1 curve parameters, shared by keys, signing and recovery.</summary>
public static class Secp256k1
{
    public static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    public static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    /// <summary>The group order n.</summary>
    public static readonly Org.BouncyCastle.Math.BigInteger N = Curve.N;
    /// <summary>n / 2, the largest "low" s (EIP-2).</summary>
    public static readonly Org.BouncyCastle.Math.BigInteger HalfN = Curve.N.ShiftRight(1);

    /// <summary>The uncompressed public key (x‖y, 64 bytes, no 0x04 prefix) of a private scalar.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey32)
    {
        var d = new Org.BouncyCastle.Math.BigInteger(1, privateKey32.ToArray());
        ECPoint q = new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize();
        return q.GetEncoded(false)[1..];
    }

    /// <summary>The compressed public key (33 bytes) of a private scalar.</summary>
    public static byte[] CompressedPublicKeyOf(ReadOnlySpan<byte> privateKey32)
    {
        var d = new Org.BouncyCastle.Math.BigInteger(1, privateKey32.ToArray());
        return new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize().GetEncoded(true);
    }

    /// <summary>Whether the 32 bytes are a valid private scalar: 0 &lt; d &lt; n.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        if (privateKey32.Length != 32) return false;
        var d = new Org.BouncyCastle.Math.BigInteger(1, privateKey32.ToArray());
        return d.SignValue > 0 && d.CompareTo(N) < 0;
    }

    internal static System.Numerics.BigInteger ToNumerics(Org.BouncyCastle.Math.BigInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);
}
