using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Testing;

/// <summary>
/// The well-known development accounts of Hardhat and anvil, derived by our own BIP-39/BIP-44 code
/// from the public test mnemonic. Test keys only: never fund them on a real network.
/// </summary>
public static class DevAccounts
{
    public const string Mnemonic = "test test test test test test test test test test test junk";

    private static readonly HdWallet Wallet = HdWallet.FromMnemonic(Mnemonic);
    private static readonly Lazy<EthKey>[] Keys = Enumerable.Range(0, 10).Select(i => new Lazy<EthKey>(() => Wallet.GetAccount(i))).ToArray();

    /// <summary>The key at m/44'/60'/0'/0/<paramref name="index"/> (0 ≤ index &lt; 10, the funded ones).</summary>
    public static EthKey Key(int index) => Keys[index].Value;
}
