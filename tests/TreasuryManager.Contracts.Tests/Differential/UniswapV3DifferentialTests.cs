using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.UniswapV3;
using TickMath = TreasuryManager.Models.UniswapV3.TickMath;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;
using Xunit.Abstractions;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>
/// <see cref="UniswapV3PoolModel"/> against Uniswap v3-core's own pool (the npm package's compiled factory and pool)
/// on the test node: seeded random mints, swaps (both ways, exact in and out, to price limits, crossing ticks) and
/// burn + collect on eight pools (two per fee tier, 0.01% to 1%), sent many transactions a block. Every Mint, Swap,
/// Burn and Collect event equals the model's amounts to the unit (and the Swap event's price, liquidity and tick);
/// a transaction reverts exactly when the model refuses it; after each block the pool's slot0, liquidity, global fee
/// growth, every tick the model knows and every position equal the model's. The seed comes from
/// TREASURY_V3_DIFFERENTIAL_SEED and the number of operations from TREASURY_V3_DIFFERENTIAL_CASES (default 2,000);
/// a failure prints the seed and the failing operations.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3DifferentialTests(LocalNodeFixture node, ITestOutputHelper output) : NodeTest(node)
{
    public const string SeedVariable = "TREASURY_V3_DIFFERENTIAL_SEED";
    public const string CasesVariable = "TREASURY_V3_DIFFERENTIAL_CASES";
    private const int DefaultSeed = 14_003;
    private const int DefaultCases = 2_000;
    private const int PoolsPerTier = 2;
    private const int OperationsPerBlock = 100;
    private const long GasPerTransaction = 3_000_000;
    private const int MaxReported = 10;

    private static readonly BigInteger TokenSupply = BigInteger.Pow(10, 60);

    private static readonly ContractAbi PoolAbi = IUniswapV3PoolMinimal.Abi;

    /// <summary>The pool's events, from Uniswap's own artifact (the local interface declares none).</summary>
    private ContractAbi PoolEvents => HardhatArtifact.Load(Path.Combine(Node.RepositoryRoot, "node_modules", "@uniswap", "v3-core", "artifacts", "contracts", "UniswapV3Pool.sol", "UniswapV3Pool.json")).Abi;

    private sealed record LivePool(Address Address, Address Token0, Address Token1);

    [Fact]
    public async Task Mint_burn_collect_and_swap_amounts_equal_the_real_v3_pool_to_the_unit()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var s) ? s : DefaultSeed;
        var cases = int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out var c) && c > 0 ? c : DefaultCases;
        var r = new SeededRandom(seed);
        var clock = Stopwatch.StartNew();
        var events = PoolEvents;

        var owner = await AccountSender.ConnectAsync(Node.Eth, DevAccounts.Key(0), TreasuryManager.DevNode.LocalNode.DefaultChainId,
            new FeeSettings { PriorityFeePerGas = 1_000_000_000 });
        var (pools, models, callee) = await DeployAsync(owner, r);
        var setup = clock.ElapsedMilliseconds;

        var failures = new StringBuilder();
        var failed = 0;
        var reverted = 0;
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var knownTicks = pools.Select(_ => new SortedSet<int>()).ToArray();
        var done = 0;
        var blocks = 0;
        var crossing = 0;
        var ticksCrossed = 0;
        long chainMs = 0, stateMs = 0;
        while (done < cases)
        {
            // The model decides each operation and its outcome first; then the whole batch goes to the chain.
            var batch = new List<(V3Operation Op, V3Expected Expected, int Index)>();
            for (var i = 0; i < OperationsPerBlock && done + i < cases; i++)
            {
                var p = r.Int(0, pools.Length);
                var op = done + i < pools.Length ? FirstMint(done + i, models[done + i]) : UniswapV3Operations.Next(r, p, models[p]);
                var before = models[op.Pool];
                var (next, expected) = UniswapV3Operations.Apply(before, op);
                models[op.Pool] = next;
                var crossed = op is V3Swap && !expected.Reverts ? TicksCrossed(before, next) : 0;
                if (crossed > 0) { crossing++; ticksCrossed += crossed; }
                if (op is V3Mint m) { knownTicks[op.Pool].Add(m.TickLower); knownTicks[op.Pool].Add(m.TickUpper); }
                batch.Add((op, expected, done + i));
            }

            var sendClock = Stopwatch.StartNew();
            var receipts = await SendInBlocksAsync(DevAccounts.Key(0), callee.Address, batch.Select(b => Encode(callee, pools[b.Op.Pool], b.Op, owner.Address)).ToArray());
            blocks += receipts.Select(x => x.BlockNumber).Distinct().Count();
            for (var i = 0; i < batch.Count; i++)
            {
                var (op, expected, index) = batch[i];
                var kind = op switch
                {
                    V3Swap sw => sw.AmountSpecified.Sign > 0 ? "swap exact in" : "swap exact out",
                    V3Mint => "mint",
                    V3BurnAndCollect bc => bc.Liquidity.IsZero ? "poke+collect" : "burn+collect",
                    _ => op.GetType().Name,
                } + (expected.Reverts ? " (revert)" : "");
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                if (expected.Reverts) reverted++;
                var mismatch = Compare(events, pools[op.Pool].Address, expected, receipts[i]);
                if (mismatch is not null && ++failed <= MaxReported)
                    failures.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  case #{index} {op}: model {expected}; chain {mismatch}"));
            }

            chainMs += sendClock.ElapsedMilliseconds;
            var stateClock = Stopwatch.StartNew();
            var stateMismatches = await CompareStateAsync(pools, models, knownTicks, callee.Address);
            stateMs += stateClock.ElapsedMilliseconds;
            foreach (var m in stateMismatches)
            {
                if (++failed <= MaxReported)
                    failures.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  after case #{done + batch.Count - 1}: {m}"));
            }

            done += batch.Count;
            Assert.True(failed == 0, string.Create(CultureInfo.InvariantCulture,
                $"The v3 model differs from the real pool (seed {seed}; replay with {SeedVariable}={seed} {CasesVariable}={cases}):\n{failures}"));
        }

        var kindList = string.Join(", ", kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {done} operations ({reverted} reverting on both sides) on {pools.Length} pools in {blocks} blocks, {crossing} swaps crossing {ticksCrossed} initialised ticks, {clock.ElapsedMilliseconds} ms ({setup} ms setup, {chainMs} ms signing, sending and mining, {stateMs} ms reading the pools' state); {kindList}"));
        foreach (var (model, i) in models.Select((m, i) => (m, i)))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pool {i} fee {model.Fee.FeePips}: tick {model.Tick}, L {model.Liquidity}, {model.InitializedTicks.Count} ticks, {model.Positions.Count} positions"));
        Assert.True(done >= DefaultCases || cases < DefaultCases);
        // The run must exercise what it claims: swaps that cross ticks, both exact kinds, burns and reverts.
        Assert.True(kinds.GetValueOrDefault("swap exact in") > cases / 8, "too few exact-input swaps went through");
        Assert.True(kinds.GetValueOrDefault("swap exact out") > cases / 8, "too few exact-output swaps went through");
        Assert.True(crossing > cases / 20, $"only {crossing} swaps crossed an initialised tick");
        Assert.True(kinds.GetValueOrDefault("burn+collect") > cases / 20, "too few burns went through");
        Assert.True(kinds.GetValueOrDefault("poke+collect") > cases / 100, "too few pokes went through");
        Assert.True(kinds.GetValueOrDefault("mint") > cases / 10, "too few mints went through");
        Assert.True(reverted > 0, "no operation reverted: the refusals are untested");
    }

    /// <summary>The initialised ticks a swap crossed: those between the ticks before and after (the lower end excluded).</summary>
    private static int TicksCrossed(UniswapV3PoolModel before, UniswapV3PoolModel after)
    {
        var (lo, hi) = (Math.Min(before.Tick, after.Tick), Math.Max(before.Tick, after.Tick));
        return before.InitializedTicks.Count(t => t > lo && t <= hi);
    }

    /// <summary>Each pool's first operation: a wide position around its price, so the first swaps find liquidity.</summary>
    private static V3Mint FirstMint(int pool, UniswapV3PoolModel model)
    {
        var s = model.Fee.TickSpacing;
        var centre = (int)Math.Floor(model.Tick / (double)s) * s;
        return new V3Mint(pool, Math.Max(model.Fee.MinUsableTick, centre - 400 * s), Math.Min(model.Fee.MaxUsableTick, centre + 400 * s), BigInteger.Pow(10, 21));
    }

    private async Task<(LivePool[] Pools, UniswapV3PoolModel[] Models, UniswapV3Callee Callee)> DeployAsync(AccountSender owner, SeededRandom r)
    {
        var root = Node.RepositoryRoot;
        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(owner, root);
        // The 0.01% tier (spacing 1) is enabled by the factory owner, as Uniswap governance did on mainnet.
        var factoryAbi = HardhatArtifact.Load(UniswapV3Deployment.FactoryArtifactPath(root)).Abi;
        var enabled = await owner.SendAndWaitAsync(new TransactionRequest
        {
            To = uniswap.Factory.Address,
            Data = factoryAbi.GetFunction("enableFeeAmount(uint24,int24)").EncodeCall(FeeTier.Lowest.FeePips, FeeTier.Lowest.TickSpacing),
        });
        Assert.True(enabled.Succeeded, "enableFeeAmount(100, 1) failed");

        var tokenArtifact = HardhatArtifact.Find(root, MintableERC20.ArtifactName);
        var callee = await UniswapV3Callee.DeployAsync(owner, HardhatArtifact.Find(root, UniswapV3Callee.ArtifactName));
        var tokens = new List<MintableERC20>();
        for (var i = 0; i < PoolsPerTier + 1; i++)
        {
            var token = await MintableERC20.DeployAsync(owner, tokenArtifact, $"V3Token{i}", $"V3T{i}", 18);
            await token.MintAsync(owner, owner.Address, TokenSupply);
            await token.ApproveAsync(owner, callee.Address, TreasuryDeployer.MaxUint256);
            tokens.Add(token);
        }

        var pools = new List<LivePool>();
        var models = new List<UniswapV3PoolModel>();
        foreach (var tier in FeeTier.All)
        {
            for (var i = 0; i < PoolsPerTier; i++)
            {
                var (a, b) = (tokens[i].Address, tokens[i + 1].Address);
                // A random start: a tick within ±120,000 (prices 6e-6 to 1.6e5), off the tick's exact price half the time.
                var tick = r.Int(-120_000, 120_001);
                var sqrtPrice = TickMath.GetSqrtRatioAtTick(tick);
                if (r.Bool()) sqrtPrice += r.Below(TickMath.GetSqrtRatioAtTick(tick + 1) - sqrtPrice - 1);
                var pool = await uniswap.CreatePoolAsync(owner, a, b, tier.FeePips, sqrtPrice);
                pools.Add(new LivePool(pool.Address, await pool.Token0Async(), await pool.Token1Async()));
                models.Add(UniswapV3PoolModel.Initialize(tier, sqrtPrice));
                Assert.Equal(tier.TickSpacing, (int)await pool.TickSpacingAsync());
            }
        }

        return (pools.ToArray(), models.ToArray(), callee);
    }

    private static byte[] Encode(UniswapV3Callee callee, LivePool pool, V3Operation op, Address payer) => op switch
    {
        V3Mint m => UniswapV3Callee.EncodeMint(pool.Address, m.TickLower, m.TickUpper, m.Liquidity),
        V3Swap s => UniswapV3Callee.EncodeSwap(pool.Address, s.ZeroForOne, s.AmountSpecified, s.SqrtPriceLimitX96, payer),
        V3BurnAndCollect b => UniswapV3Callee.EncodeBurnAndCollect(pool.Address, b.TickLower, b.TickUpper, b.Liquidity, payer),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operation"),
    };

    /// <summary>
    /// Signs every call locally (one sender, consecutive nonces from its pending count: the node keeps their order; a fixed
    /// fee cap far above the local node's base fee), sends them in JSON-RPC batches with automine off, mines until all
    /// are in, and returns the receipts in sending order.
    /// </summary>
    private async Task<TransactionReceipt[]> SendInBlocksAsync(EthKey key, Address to, IReadOnlyList<byte[]> calls)
    {
        var nonce = await Node.Eth.GetTransactionCountAsync(key.Address, BlockTag.Pending);
        var signed = calls.Select((data, i) => new Eip1559Transaction
        {
            ChainId = TreasuryManager.DevNode.LocalNode.DefaultChainId,
            Nonce = nonce + i,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 100_000_000_000,
            GasLimit = GasPerTransaction,
            To = to,
            Data = data,
        }.Sign(key)).ToArray();
        await Node.Rpc.CallAsync("evm_setAutomine", [false]);
        try
        {
            var sent = await Node.Rpc.BatchAsync(signed.Select(t => new RpcRequest("eth_sendRawTransaction", Ethereum.Encoding.Hex.Encode(t.Raw))).ToArray());
            foreach (var answer in sent) answer.GetResult();
            var receipts = new TransactionReceipt?[signed.Length];
            for (var round = 0; round < 20 && receipts.Any(x => x is null); round++)
            {
                await Node.Rpc.CallAsync("evm_mine");
                var missing = Enumerable.Range(0, signed.Length).Where(i => receipts[i] is null).ToArray();
                var answers = await Node.Rpc.BatchAsync(missing.Select(i => new RpcRequest("eth_getTransactionReceipt", signed[i].HashHex)).ToArray());
                for (var k = 0; k < missing.Length; k++)
                {
                    var result = answers[k].GetResult();
                    if (result.ValueKind == System.Text.Json.JsonValueKind.Object) receipts[missing[k]] = TransactionReceipt.FromJson(result);
                }
            }

            Assert.True(receipts.All(x => x is not null), "transactions were still pending after 20 blocks");
            return receipts.Select(x => x!).ToArray();
        }
        finally
        {
            await Node.Rpc.CallAsync("evm_setAutomine", [true]);
        }
    }

    /// <summary>The chain's side of one operation, compared with the model's; null when they agree, else what the chain did.</summary>
    private static string? Compare(ContractAbi events, Address pool, V3Expected expected, TransactionReceipt receipt)
    {
        if (!receipt.Succeeded) return expected.Reverts ? null : "reverted";
        if (expected.Reverts) return "succeeded " + DescribeLogs(events, pool, receipt);
        var logs = receipt.Logs.Where(l => l.Address == pool && events.TryDecodeLog(l.Topics, l.Data, out _))
            .Select(l => events.DecodeLog(l.Topics, l.Data)).ToArray();
        BigInteger Arg(string name, string field) => (BigInteger)logs.Single(e => e.Name == name)[field]!;
        if (expected.Minted is { } minted)
        {
            var chain = new PositionAmounts(Arg("Mint", "amount0"), Arg("Mint", "amount1"));
            return chain == minted ? null : $"Mint {chain}";
        }

        if (expected.Swapped is { } swapped)
        {
            var chain = new SwapOutcome(Arg("Swap", "amount0"), Arg("Swap", "amount1"), Arg("Swap", "sqrtPriceX96"), Arg("Swap", "liquidity"), (int)Arg("Swap", "tick"));
            return chain == swapped ? null : $"Swap {chain}";
        }

        var burnt = new PositionAmounts(Arg("Burn", "amount0"), Arg("Burn", "amount1"));
        var collected = new CollectedAmounts(Arg("Collect", "amount0"), Arg("Collect", "amount1"));
        return burnt == expected.Burnt && collected == expected.Collected ? null : $"Burn {burnt}, Collect {collected}";
    }

    private static string DescribeLogs(ContractAbi events, Address pool, TransactionReceipt receipt) =>
        string.Join("; ", receipt.Logs.Where(l => l.Address == pool && events.TryDecodeLog(l.Topics, l.Data, out _)).Select(l => events.DecodeLog(l.Topics, l.Data).ToString()));

    /// <summary>Every pool's slot0, liquidity and fee growth, every tick the run has used and every position, read in
    /// JSON-RPC batches of eth_calls and compared with the models.</summary>
    private async Task<IReadOnlyList<string>> CompareStateAsync(LivePool[] pools, UniswapV3PoolModel[] models, SortedSet<int>[] knownTicks, Address owner)
    {
        var mismatches = new List<string>();
        for (var p = 0; p < pools.Length; p++)
        {
            var m = models[p];
            var calls = new List<(string Signature, object?[] Args)>
            {
                ("slot0()", []), ("liquidity()", []), ("feeGrowthGlobal0X128()", []), ("feeGrowthGlobal1X128()", []),
            };
            var ticks = knownTicks[p].ToArray();
            calls.AddRange(ticks.Select(t => ("ticks(int24)", new object?[] { new BigInteger(t) })));
            var positions = m.Positions.Keys.OrderBy(k => (k.TickLower, k.TickUpper)).ToArray();
            calls.AddRange(positions.Select(k => ("positions(bytes32)", new object?[] { PositionKeyHash(owner, k) })));
            var answers = await EvmBatch.CallAsync(Node.Rpc, pools[p].Address, PoolAbi, calls);
            void Check(string what, Outcome chain, params BigInteger[] model)
            {
                if (!chain.Matches(Outcome.Ok(model), sameError: true))
                    mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"pool {p} {what}: model {Outcome.Ok(model)}, chain {chain}"));
            }

            var slot0 = answers[0];
            var slot0Head = slot0.Succeeded ? Outcome.Ok(slot0.Values![0], slot0.Values[1]) : slot0;
            Check("slot0 (sqrtPriceX96, tick)", slot0Head, m.SqrtPriceX96, m.Tick);
            Check("liquidity", answers[1], m.Liquidity);
            Check("feeGrowthGlobal0X128", answers[2], m.FeeGrowthGlobal0X128);
            Check("feeGrowthGlobal1X128", answers[3], m.FeeGrowthGlobal1X128);
            for (var i = 0; i < ticks.Length; i++)
            {
                var a = answers[4 + i];
                var head = a.Succeeded ? Outcome.Ok(a.Values!.Take(4).Append(a.Values![^1]).ToArray()) : a;
                var t = m.TickAt(ticks[i]);
                Check($"ticks({ticks[i]}) (gross, net, outside0, outside1, initialized)", head,
                    t.LiquidityGross, t.LiquidityNet, t.FeeGrowthOutside0X128, t.FeeGrowthOutside1X128, t.LiquidityGross.IsZero ? 0 : 1);
            }

            for (var i = 0; i < positions.Length; i++)
            {
                var info = m.Position(positions[i]);
                Check($"positions[{positions[i].TickLower}, {positions[i].TickUpper}]", answers[4 + ticks.Length + i],
                    info.Liquidity, info.FeeGrowthInside0LastX128, info.FeeGrowthInside1LastX128, info.TokensOwed0, info.TokensOwed1);
            }
        }

        return mismatches;
    }

    /// <summary>Position.get's key: keccak256(abi.encodePacked(owner, tickLower, tickUpper)).</summary>
    private static byte[] PositionKeyHash(Address owner, PositionKey key) =>
        AbiPacked.Keccak256(["address", "int24", "int24"], [owner, new BigInteger(key.TickLower), new BigInteger(key.TickUpper)]);
}
