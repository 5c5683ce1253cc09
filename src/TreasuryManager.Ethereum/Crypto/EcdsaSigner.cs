using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;

namespace TreasuryManager.Ethereum.Crypto;

/// <summary>
/// secp256k1 ECDSA over 32-byte hashes, as Ethereum uses it: deterministic RFC 6979 nonces
/// (HMAC-SHA256), low-s (EIP-2) and the recovery id taken from the nonce point R itself.
/// Also public-key recovery (SEC1 4.1.6). Signatures match ethers / noble-secp256k1 byte for byte.
/// </summary>
public static class EcdsaSigner
{
    public const int HashSize = 32;

    private static readonly ECMultiplier BaseMultiplier = new FixedPointCombMultiplier();

    /// <summary>Signs a 32-byte hash with a 32-byte private key.</summary>
    public static Signature Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey32)
    {
        RequireHash(hash32);
        if (!Secp256k1.IsValidPrivateKey(privateKey32))
            throw new ArgumentException("The private key is not a valid secp256k1 scalar (32 bytes, above 0 and below the curve order).", nameof(privateKey32));

        var n = Secp256k1.N;
        var d = new BigInteger(1, privateKey32);
        var message = hash32.ToArray();
        // For a 256-bit order and a 256-bit hash, e is the hash read as an integer (ECDSA's bits2int).
        var e = new BigInteger(1, message);

        var k = new HMacDsaKCalculator(new Sha256Digest());
        k.Init(n, d, message);
        while (true)
        {
            var nonce = k.NextK();
            var point = BaseMultiplier.Multiply(Secp256k1.Domain.G, nonce).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(n);
            if (r.SignValue == 0) continue;
            // ModOddInverse is constant-time (safegcd) and far faster than BigInteger.ModInverse.
            var s = BigIntegers.ModOddInverse(n, nonce).Multiply(e.Add(d.Multiply(r))).Mod(n);
            if (s.SignValue == 0) continue;

            var recoveryId = (point.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(n) >= 0 ? 2 : 0);
            if (s.CompareTo(Secp256k1.HalfN) > 0)
            {
                s = n.Subtract(s);
                recoveryId ^= 1;
            }
            return new Signature(Secp256k1.ToNumerics(r), Secp256k1.ToNumerics(s), recoveryId);
        }
    }

    /// <summary>
    /// Recovers the uncompressed public key (x‖y, 64 bytes) that made <paramref name="signature"/>
    /// over <paramref name="hash32"/> (SEC1 4.1.6). A signature no key could have made is an
    /// <see cref="EthereumFormatException"/>.
    /// </summary>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32, Signature signature)
    {
        RequireHash(hash32);
        var n = Secp256k1.N;
        var r = ToBouncy(signature.R);
        var s = ToBouncy(signature.S);
        if (r.SignValue <= 0 || r.CompareTo(n) >= 0 || s.SignValue <= 0 || s.CompareTo(n) >= 0)
            throw new EthereumFormatException("The signature's r and s must be between 1 and the curve order minus 1; it is not a valid signature.");

        var x = (signature.RecoveryId & 2) != 0 ? r.Add(n) : r;
        var curve = Secp256k1.Domain.Curve;
        if (x.CompareTo(curve.Field.Characteristic) >= 0)
            throw new EthereumFormatException("The signature's recovery id points past the field; it is not a valid signature.");

        ECPoint rPoint;
        try
        {
            var encoded = new byte[33];
            encoded[0] = (byte)(0x02 | (signature.RecoveryId & 1));
            var xBytes = x.ToByteArrayUnsigned();
            xBytes.CopyTo(encoded, 33 - xBytes.Length);
            rPoint = curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            throw new EthereumFormatException("The signature's r is not the x coordinate of a curve point; no public key matches this signature.");
        }

        var e = new BigInteger(1, hash32.ToArray());
        var rInverse = BigIntegers.ModOddInverseVar(n, r); // r is public: variable time is fine
        var u1 = n.Subtract(e).Multiply(rInverse).Mod(n);
        var u2 = s.Multiply(rInverse).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Secp256k1.Domain.G, u1, rPoint, u2).Normalize();
        if (q.IsInfinity)
            throw new EthereumFormatException("The signature recovers to the point at infinity; it is not a valid signature.");
        return q.GetEncoded(false)[1..];
    }

    /// <summary>The address whose key made <paramref name="signature"/> over <paramref name="hash32"/>.</summary>
    public static Address RecoverAddress(ReadOnlySpan<byte> hash32, Signature signature) =>
        Address.FromPublicKey(RecoverPublicKey(hash32, signature));

    /// <summary>Whether <paramref name="signature"/> over <paramref name="hash32"/> recovers to <paramref name="expected"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> hash32, Signature signature, Address expected)
    {
        try { return RecoverAddress(hash32, signature) == expected; }
        catch (EthereumFormatException) { return false; }
    }

    private static void RequireHash(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != HashSize)
            throw new ArgumentException($"ECDSA here signs a 32-byte hash, but {hash32.Length} bytes were given; hash the message first (Keccak-256).", nameof(hash32));
    }

    private static BigInteger ToBouncy(System.Numerics.BigInteger value) =>
        new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));
}
