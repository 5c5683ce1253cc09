using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

public class HdWalletTests
{
    private const string Hardhat = "test test test test test test test test test test test junk";

    [Fact]
    public void Hardhat_default_accounts()
    {
        var wallet = HdWallet.FromMnemonic(Hardhat);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", wallet.GetAccount(0).Address.ToString());
        Assert.Equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", wallet.GetAccount(1).Address.ToString());
        Assert.Equal("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", wallet.GetAccount(2).Address.ToString());
        var node = wallet.GetAccountNode(0);
        Assert.Equal("m/44'/60'/0'/0/0", node.Path);
        Assert.Equal(5, node.Depth);
        Assert.Equal(wallet.Root.Derive(HdPath.EthereumAccount(1)).Address, wallet.GetAccount(1).Address);
        Assert.Equal(wallet.Root.Derive("m/44h/60H/0'/0/1").Address, wallet.GetAccount(1).Address);
        Assert.Throws<ArgumentOutOfRangeException>(() => wallet.GetAccount(-1));
    }

    [Fact]
    public void Relative_derivation_matches_absolute()
    {
        var root = HdNode.FromMnemonic(Hardhat);
        var chain = root.Derive("m/44'/60'/0'");
        Assert.Equal(root.Derive("m/44'/60'/0'/0/7").Address, chain.Derive("0/7").Address);
        Assert.Equal("m/44'/60'/0'/0/7", chain.Derive("0/7").Path);
    }

    [Fact]
    public void Bip32_test_vector_1_master()
    {
        var master = HdNode.FromSeed(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        Assert.Equal("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi", master.ToExtendedPrivateKey());
        Assert.Equal("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8", master.ToExtendedPublicKey());
        Assert.Equal("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw", master.Derive("m/0'").ToExtendedPublicKey());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x/0")]
    [InlineData("M/0")]
    [InlineData("m//0")]
    [InlineData("m/0/")]
    [InlineData("m/-1")]
    [InlineData("m/+1")]
    [InlineData("m/1a")]
    [InlineData("m/0''")]
    [InlineData("m/ 1")]
    [InlineData("m/2147483648")]
    [InlineData("m/4294967296'")]
    [InlineData("m/44'/60'/0'/0/0/")]
    public void Bad_paths_are_refused_with_a_clear_error(string path)
    {
        var error = Assert.Throws<HdPathException>(() => HdPath.Parse(path));
        Assert.Contains("path", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<HdPathException>(() => HdNode.FromMnemonic(Hardhat).Derive(path));
    }

    [Fact]
    public void Absolute_path_from_a_child_node_is_refused()
    {
        var child = HdNode.FromMnemonic(Hardhat).Derive("m/44'");
        var error = Assert.Throws<HdPathException>(() => child.Derive("m/0"));
        Assert.Contains("master node", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("m", 0)]
    [InlineData("m/0'", 1)]
    [InlineData("m/44'/60'/0'/0/0", 5)]
    [InlineData("0/1", 2)]
    public void Paths_parse_and_format(string path, int depth)
    {
        var parsed = HdPath.Parse(path);
        Assert.Equal(depth, parsed.Indices.Count);
        Assert.Equal(path, parsed.ToString());
    }

    [Fact]
    public void Corrupt_xpriv_is_refused()
    {
        var xpriv = HdNode.FromMnemonic(Hardhat).ToExtendedPrivateKey();
        var corrupt = xpriv[..^1] + (xpriv[^1] == 'a' ? 'b' : 'a');
        Assert.Contains("checksum", Assert.Throws<HdPathException>(() => HdNode.FromExtendedPrivateKey(corrupt)).Message, StringComparison.Ordinal);
        var xpub = HdNode.FromMnemonic(Hardhat).ToExtendedPublicKey();
        Assert.Contains("version", Assert.Throws<HdPathException>(() => HdNode.FromExtendedPrivateKey(xpub)).Message, StringComparison.Ordinal);
    }
}
