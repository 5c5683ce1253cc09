using System.Numerics;
using CsCheck;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests;

public class SigningTests
{
    private const string HardhatKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static readonly Gen<byte[]> Keys = Gen.Byte.Array[32].Where(k => Secp256k1.IsValidPrivateKey(k));
    private static readonly Gen<byte[]> Hashes = Gen.Byte.Array[32];

    [Fact]
    public void Eip191_hello_matches_ethers()
    {
        var key = EthKey.FromHex(HardhatKey);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", key.Address.ToString());
        var signature = key.SignMessage("hello");
        Assert.Equal("0xf16ea9a3478698f695fd1401bfe27e9e4a7e8e3da94aa72b021125e31fa899cc573c48ea3fe1d4ab61a9db10c19032026e3ed2dbccba5a178235ac27f94504311c", signature.ToHex());
        Assert.Equal(key.Address, PersonalMessage.RecoverSigner("hello", signature));
        Assert.Equal(key.Address, PersonalMessage.RecoverSigner("hello", Signature.Parse(signature.ToHex())));
        Assert.NotEqual(key.Address, PersonalMessage.RecoverSigner("hello!", signature));
    }

    // Reference values from ethers v6 (Wallet.signMessage, SigningKey.sign).
    [Fact]
    public void Eip191_byte_and_empty_messages_match_ethers()
    {
        var key = EthKey.FromHex(HardhatKey);
        Assert.Equal("0x033a33b2bd15fb75e2444a52a4f48abc4512c794bcefab030dee092891454d5f7edf8dc7e2c9dfb6da7aa71fd0dcb4b514d688632cee3e1c856edf54b112e98c1b",
            key.SignMessage(new byte[] { 0, 1, 2, 255 }).ToHex());
        Assert.Equal("0xc1977b761f1dd36c29795783460d241885c8e7f9d962dbe7bba2753fd94e89b444a1cd9ed855dd09afa3b73f7c2bd097ec9abc2d2775d737505a02d3f0cafa591b",
            key.SignMessage("").ToHex());
    }

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000000000000000000000000000000",
        "0xa0b37f8fba683cc68f6574cd43b39f0343a50008bf6ccea9d13231d9e7e2e1e411edc8d307254296264aebfc3dc76cd8b668373a072fd64665b50000e9fcce521c")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001", "0xcbd818ad4dd6f1ff9338c2bb62480241424dd9a65f9f3284101a01cd099ad8ac",
        "0x51383b9e3e161d6b582c0e0475a0d2ba2ee49611a7a5ebe4531f0cadc9d657ff1fdc8d05c84e91bc0f0cc11ef745d716119a7a5d0b3d2dfe1449d7b49199f11e1b")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001", "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0x7cb38cc5712e9e11a767615f6080dbc111c9cdd613eb98999fd92a86bafd45407923ca1f4d03471d2866f776ef8a6d3cac099b427331aeb245aa9dafeddcf1151b")]
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "0xcbd818ad4dd6f1ff9338c2bb62480241424dd9a65f9f3284101a01cd099ad8ac",
        "0x164cc4bd2e9cec933d183c8475a444372a8a9c0d8d83909d16c5eab347431584357c1c8e3705831bc8200ed10763f3f2ce296d9fe5c29a19e43799b2000d25311c")]
    public void Hash_signatures_match_ethers(string privateKey, string hash, string expected)
    {
        var key = EthKey.FromHex(privateKey);
        var signature = key.Sign(Hex.Decode(hash));
        Assert.Equal(expected, signature.ToHex());
        Assert.Equal(key.PublicKey, EcdsaSigner.RecoverPublicKey(Hex.Decode(hash), signature));
    }

    [Fact]
    public void Sign_then_recover_round_trips_for_random_keys_and_hashes() =>
        Gen.Select(Keys, Hashes).Sample((privateKey, hash) =>
        {
            var key = new EthKey(privateKey);
            var signature = key.Sign(hash);
            return EcdsaSigner.RecoverAddress(hash, signature) == key.Address
                && EcdsaSigner.RecoverPublicKey(hash, signature).AsSpan().SequenceEqual(key.PublicKey)
                && EcdsaSigner.Verify(hash, signature, key.Address);
        }, iter: 200);

    [Fact]
    public void Signatures_are_always_low_s_with_recovery_id_0_or_1() =>
        Gen.Select(Keys, Hashes).Sample((privateKey, hash) =>
        {
            var signature = EcdsaSigner.Sign(hash, privateKey);
            return signature.IsLowS && signature.S <= Signature.Secp256k1HalfOrder && signature.RecoveryId is 0 or 1;
        }, iter: 200);

    [Fact]
    public void Signing_is_deterministic() =>
        Gen.Select(Keys, Hashes).Sample((privateKey, hash) => EcdsaSigner.Sign(hash, privateKey) == EcdsaSigner.Sign(hash, privateKey), iter: 50);

    [Fact]
    public void Serialised_form_round_trips() =>
        Gen.Select(Keys, Hashes).Sample((privateKey, hash) =>
        {
            var signature = EcdsaSigner.Sign(hash, privateKey);
            var bytes = signature.ToBytes();
            return bytes.Length == 65 && bytes[64] == 27 + signature.RecoveryId && Signature.FromBytes(bytes) == signature;
        }, iter: 50);

    [Fact]
    public void A_wrong_hash_recovers_a_different_address()
    {
        var key = EthKey.FromHex(HardhatKey);
        var hash = Keccak256.Hash("a");
        var signature = key.Sign(hash);
        Assert.NotEqual(key.Address, EcdsaSigner.RecoverAddress(Keccak256.Hash("b"), signature));
        Assert.False(EcdsaSigner.Verify(Keccak256.Hash("b"), signature, key.Address));
    }

    [Fact]
    public void V_forms()
    {
        var signature = new Signature(5, 7, 1);
        Assert.Equal(28, signature.LegacyV);
        Assert.Equal(new BigInteger(1 * 2 + 35 + 1), signature.Eip155V(1));
        Assert.Equal(new BigInteger(137 * 2 + 36), signature.Eip155V(137));

        Assert.Equal(signature, Signature.FromV(5, 7, 28, out var none));
        Assert.Null(none);
        Assert.Equal(signature, Signature.FromV(5, 7, 1, out none));
        Assert.Null(none);
        Assert.Equal(signature, Signature.FromV(5, 7, 310, out var chainId));
        Assert.Equal(new BigInteger(137), chainId);
        Assert.Equal(new Signature(5, 7, 0), Signature.FromV(5, 7, 309, out _));
        Assert.Throws<EthereumFormatException>(() => Signature.FromV(5, 7, 29, out _));
    }

    [Fact]
    public void Normalize_flips_high_s_and_the_recovery_id()
    {
        var high = new Signature(5, Signature.Secp256k1Order - 7, 0);
        Assert.False(high.IsLowS);
        var low = high.Normalize();
        Assert.Equal(new Signature(5, 7, 1), low);
        Assert.Equal(low, low.Normalize());
    }

    [Fact]
    public void High_s_recovers_the_same_key_as_its_normalised_form()
    {
        var key = EthKey.FromHex(HardhatKey);
        var hash = Keccak256.Hash("x");
        var low = key.Sign(hash);
        var high = new Signature(low.R, Signature.Secp256k1Order - low.S, low.RecoveryId ^ 1);
        Assert.Equal(key.Address, EcdsaSigner.RecoverAddress(hash, high));
    }

    [Fact]
    public void Bad_inputs_have_clear_errors()
    {
        Assert.Contains("65 bytes", Assert.Throws<EthereumFormatException>(() => Signature.FromBytes(new byte[64])).Message, StringComparison.Ordinal);
        var bytes = EthKey.FromHex(HardhatKey).SignMessage("hello").ToBytes();
        bytes[64] = 30;
        Assert.Contains("v byte", Assert.Throws<EthereumFormatException>(() => Signature.FromBytes(bytes)).Message, StringComparison.Ordinal);
        Assert.Throws<EthereumFormatException>(() => new Signature(0, 1, 0));
        Assert.Throws<EthereumFormatException>(() => new Signature(1, Signature.Secp256k1Order, 0));
        var error = Assert.Throws<ArgumentException>(() => EthKey.FromHex(HardhatKey).Sign(new byte[31]));
        Assert.Contains("32-byte hash", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ac0974", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_r_off_the_curve_cannot_be_recovered()
    {
        // x = 5 is not the x coordinate of a secp256k1 point (5³ + 7 = 132 is a non-residue mod p).
        var hash = Keccak256.Hash("x");
        var failures = 0;
        for (var x = 1; x < 20; x++)
            try { EcdsaSigner.RecoverPublicKey(hash, new Signature(x, 1, 0)); }
            catch (EthereumFormatException e) { failures++; Assert.Contains("not the x coordinate", e.Message, StringComparison.Ordinal); }
        Assert.True(failures > 0);
    }
}
