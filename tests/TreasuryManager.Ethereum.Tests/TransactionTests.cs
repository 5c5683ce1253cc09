using System.Numerics;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Rlp;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Ethereum.Tests;

public class TransactionTests
{
    private static readonly EthKey Key = EthKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

    // A USDT transfer of 1 USDT on mainnet; raw and hash from ethers v6 Wallet.signTransaction.
    private static Eip1559Transaction UsdtTransfer() => new()
    {
        ChainId = 1,
        Nonce = 7,
        MaxPriorityFeePerGas = Units.ParseGwei("2"),
        MaxFeePerGas = Units.ParseGwei("30"),
        GasLimit = 65000,
        To = Address.Parse("0xdAC17F958D2ee523a2206206994597C13D831ec7"),
        Data = Hex.Decode("0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000000000f4240"),
    };

    [Fact]
    public void Type2_token_transfer_matches_ethers()
    {
        var signed = UsdtTransfer().Sign(Key);
        Assert.Equal("0x02f8b0010784773594008506fc23ac0082fde894dac17f958d2ee523a2206206994597c13d831ec780b844a9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000000000f4240c080a079c5f380b85acc96cd63dbeddae5c96cf4890f1fd56a527e0f4c649d9401fab3a053e3dd0072293844d1be03e172f6854cc58c2009fd8a32e8a4cda283530bdf55",
            signed.RawHex);
        Assert.Equal("0x921a35de9b49573e0bf04c86a2bf820d5236dc66324cd68ccca007b01aeabb72", signed.HashHex);
        Assert.Equal(TransactionType.DynamicFee, signed.Type);

        var decoded = SignedTransaction.Decode(signed.RawHex);
        Assert.Equal(signed, decoded);
        Assert.Equal(UsdtTransfer(), decoded.Transaction);
        Assert.Equal(Key.Address, decoded.Sender);
    }

    [Fact]
    public void With_signature_attaches_and_recovers()
    {
        var tx = UsdtTransfer();
        var signature = Key.Sign(tx.SigningHash());
        var signed = tx.WithSignature(signature);
        Assert.Equal(Key.Address, signed.Sender);
        Assert.Equal(tx.Sign(Key).Raw, signed.Raw);
    }

    [Fact]
    public void Contract_creation_has_no_recipient()
    {
        var tx = new Eip1559Transaction { ChainId = 31337, GasLimit = 1_000_000, MaxFeePerGas = 1, Data = [0x60, 0x00] };
        var decoded = SignedTransaction.Decode(tx.Sign(Key).Raw);
        Assert.Null(decoded.Transaction.To);
        Assert.Equal(tx, decoded.Transaction);
    }

    [Fact]
    public void Equality_is_by_content()
    {
        Assert.Equal(UsdtTransfer(), UsdtTransfer());
        Assert.Equal(UsdtTransfer().GetHashCode(), UsdtTransfer().GetHashCode());
        Assert.NotEqual(UsdtTransfer(), UsdtTransfer() with { Nonce = 8 });
        Assert.NotEqual(UsdtTransfer(), UsdtTransfer() with { Data = [1] });
        Transaction legacy = new LegacyTransaction { Nonce = 7 };
        Assert.NotEqual(legacy, new AccessListTransaction { Nonce = 7 });
        var key = new byte[32];
        key[31] = 1;
        Assert.Equal(
            new AccessListTransaction { AccessList = [new AccessListEntry(Key.Address, [key])] },
            new AccessListTransaction { AccessList = [new AccessListEntry(Key.Address, [(byte[])key.Clone()])] });
    }

    [Fact]
    public void Blob_transactions_are_not_supported()
    {
        var error = Assert.Throws<NotSupportedException>(() => SignedTransaction.Decode(new byte[] { 0x03, 0xc0 }));
        Assert.Contains("blob", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x", "empty")]
    [InlineData("0x90c0", "neither a transaction type")]
    [InlineData("0x02c0", "12 fields")]
    [InlineData("0x01c0", "11 fields")]
    [InlineData("0xc0", "9 fields")]
    public void Malformed_raw_transactions_are_rejected(string hex, string expectedText)
    {
        var error = Assert.Throws<EthereumFormatException>(() => SignedTransaction.Decode(hex));
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void High_s_and_bad_parity_are_rejected()
    {
        var signed = UsdtTransfer().Sign(Key);
        var fields = RlpCodec.DecodeList(signed.Raw.AsSpan(1)).Items.ToArray();

        var highS = (RlpItem[])fields.Clone();
        highS[11] = RlpString.FromInteger(Signature.Secp256k1Order - signed.Signature.S);
        highS[9] = RlpString.FromInteger(signed.Signature.YParity ^ 1);
        var error = Assert.Throws<EthereumFormatException>(() => SignedTransaction.Decode(Typed(highS)));
        Assert.Contains("high s", error.Message, StringComparison.Ordinal);

        var badParity = (RlpItem[])fields.Clone();
        badParity[9] = RlpString.FromInteger(27);
        Assert.Contains("yParity", Assert.Throws<EthereumFormatException>(() => SignedTransaction.Decode(Typed(badParity))).Message, StringComparison.Ordinal);

        var paddedNonce = (RlpItem[])fields.Clone();
        paddedNonce[1] = new RlpString([0, 7]);
        Assert.Contains("nonce", Assert.Throws<EthereumFormatException>(() => SignedTransaction.Decode(Typed(paddedNonce))).Message, StringComparison.Ordinal);

        var shortTo = (RlpItem[])fields.Clone();
        shortTo[5] = new RlpString(new byte[19]);
        Assert.Contains("20-byte", Assert.Throws<EthereumFormatException>(() => SignedTransaction.Decode(Typed(shortTo))).Message, StringComparison.Ordinal);

        static byte[] Typed(RlpItem[] items) => [0x02, .. RlpCodec.Encode(new RlpList(items))];
    }

    [Fact]
    public void Legacy_v_encodes_the_chain()
    {
        var tx = new LegacyTransaction { ChainId = 137, Nonce = 1, GasPrice = 1, GasLimit = 21000, To = Key.Address, Value = BigInteger.One };
        var signed = tx.Sign(Key);
        var decoded = SignedTransaction.Decode(signed.Raw);
        Assert.Equal(new BigInteger(137), ((LegacyTransaction)decoded.Transaction).ChainId);
        Assert.Equal(Key.Address, decoded.Sender);

        var pre155 = (tx with { ChainId = null }).Sign(Key);
        Assert.Null(((LegacyTransaction)SignedTransaction.Decode(pre155.Raw).Transaction).ChainId);
        Assert.Throws<ArgumentOutOfRangeException>(() => tx with { ChainId = 0 });
    }

    [Fact]
    public void Negative_fields_are_rejected_when_serialising()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (UsdtTransfer() with { Value = -1 }).EncodeUnsigned());
        Assert.Contains("Value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_list_keys_must_be_32_bytes()
    {
        var error = Assert.Throws<ArgumentException>(() => new AccessListEntry(Key.Address, [new byte[31]]));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }
}
