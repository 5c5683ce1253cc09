using TreasuryManager.Ethereum.Crypto;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// A BIP-44 Ethereum HD wallet: account i is the key at m/44'/60'/0'/0/i. Holds the master node
/// (not the phrase); <see cref="ToString"/> shows only the master fingerprint.
/// </summary>
public sealed class HdWallet
{
    private readonly HdNode _accountChain;

    private HdWallet(HdNode root)
    {
        Root = root;
        _accountChain = root.Derive(HdPath.EthereumAccountChain);
    }

    /// <summary>From an English BIP-39 phrase and optional BIP-39 password ("25th word").</summary>
    public static HdWallet FromMnemonic(string phrase, string password = "") => new(HdNode.FromMnemonic(phrase, password));

    public static HdWallet FromSeed(ReadOnlySpan<byte> seed) => new(HdNode.FromSeed(seed));

    public HdNode Root { get; }

    /// <summary>The node at m/44'/60'/0'/0/<paramref name="index"/>.</summary>
    public HdNode GetAccountNode(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "An account index is zero or more.");
        return _accountChain.DeriveChild((uint)index);
    }

    /// <summary>The key at m/44'/60'/0'/0/<paramref name="index"/>.</summary>
    public EthKey GetAccount(int index) => GetAccountNode(index).ToEthKey();

    public override string ToString() => $"HdWallet(master {HdNode.FingerprintHex(Root.Fingerprint)})";
}
