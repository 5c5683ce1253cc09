using System.Diagnostics;
using System.Globalization;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Benchmarks;

/// <summary>
/// The C# half of scripts/bench-e2e.sh: N signed type-2 transfers sent to a local node, timed until
/// the last is mined. Same shape as bench/e2e/ethers-send.js: sequential sends, one wait at the end.
/// </summary>
public static class SendEndToEnd
{
    public static async Task<int> RunAsync(string url, int count)
    {
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = new Uri(url) });
        var eth = new EthClient(rpc);
        // Account 2 of the public test mnemonic (funded on local nodes only); ethers uses account 1.
        var key = HdWallet.FromMnemonic("test test test test test test test test test test test junk").GetAccount(2);
        var to = Address.Parse("0x000000000000000000000000000000000000dEaD");
        var chainId = await eth.ChainIdAsync();
        var nonce = await eth.GetTransactionCountAsync(key.Address, BlockTag.Pending);
        var block = await eth.GetBlockAsync();
        var tip = await eth.MaxPriorityFeePerGasAsync();
        var maxFee = 2 * (2 * block.BaseFeePerGas!.Value + tip);
        var stopwatch = Stopwatch.StartNew();
        string last = "";
        for (var i = 0; i < count; i++)
        {
            var transaction = new Eip1559Transaction
            {
                ChainId = chainId, Nonce = nonce++, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee,
                GasLimit = 21_000, To = to, Value = 1,
            };
            last = await eth.SendRawTransactionAsync(transaction.Sign(key).Raw);
        }
        await eth.WaitForReceiptAsync(last, TimeSpan.FromMinutes(5), pollInterval: TimeSpan.FromMilliseconds(5));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"client\":\"csharp\",\"count\":{count},\"seconds\":{seconds:0.000},\"tx_per_second\":{count / seconds:0.0}}}"));
        return 0;
    }
}
