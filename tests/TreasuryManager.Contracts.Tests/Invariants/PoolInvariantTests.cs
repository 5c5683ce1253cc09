using System.Diagnostics;
using System.Numerics;
using CsPoolState = TreasuryManager.Models.Curve.PoolState;
using LogMath = TreasuryManager.Models.Curve.LogMath;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Differential;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Models.Curve;
using TreasuryManager.Testing;
using Xunit.Abstractions;

namespace TreasuryManager.Contracts.Tests.Invariants;

/// <summary>
/// Seeded random sequences of operations on a deployed treasury — swaps both ways of every size (1 wei to past the
/// range edge), real round trips, time advances, keeper rebalances within policy through the vault, owner deposits and
/// withdrawals — with the pool's invariants asserted after every operation:
/// <list type="bullet">
/// <item>the chain state is exactly the C# model's (PoolSwap / LiquidityFit / ObservationMath shadow);</item>
/// <item>reserves equal the pool's token balances;</item>
/// <item>the price stays within [low, high];</item>
/// <item>the liquidity never decreases except by a reposition or a withdrawal, and grows only by fees: it is constant
/// across swaps (their fees accrue in the reserves), never above what the reserves cover (refit of the state, also
/// with the swap's fee taken back out), and a reposition sets exactly the L fitted to the reserves, fees included;</item>
/// <item>no round trip (swap x in, swap the output back) returns more than was put in — on chain, and for 40 model
/// round trips of random sizes at every step.</item>
/// </list>
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PoolInvariantTests(LocalNodeFixture node, ITestOutputHelper output) : NodeTest(node)
{
    private const int Operations = 40;

    /// <summary>TREASURY_DIFF_VERBOSE=1 prints every step's observation-read comparison.</summary>
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("TREASURY_DIFF_VERBOSE") == "1";

    private static readonly (DeploymentSettings Settings, int Seed)[] Sequences =
    [
        (new() { ObservationCardinality = 64, TraderBase = 1_000_000m, TraderQuote = 2_000_000m }, 13_001),
        (new() { BaseDecimals = 6, QuoteDecimals = 18, Price = 1500m, PriceLow = 1200m, PriceHigh = 1900m, FeePips = 500, DepositBase = 100m, DepositQuote = 150_000m,
            TraderBase = 1_000m, TraderQuote = 1_500_000m, OraclePrice = 150_000_000_000, ObservationCardinality = 64 }, 13_002),
        (new() { BaseDecimals = 8, QuoteDecimals = 8, Price = 0.05m, PriceLow = 0.04m, PriceHigh = 0.07m, FeePips = 10_000, DepositBase = 1_000_000m, DepositQuote = 40_000m,
            TraderBase = 10_000_000m, TraderQuote = 400_000m, OraclePrice = 5_000_000, ObservationCardinality = 64 }, 13_003),
    ];

    [Fact]
    public async Task Sequence_0_18_6_decimals() => await RunSequenceAsync(0);

    [Fact]
    public async Task Sequence_1_6_18_decimals() => await RunSequenceAsync(1);

    [Fact]
    public async Task Sequence_2_8_8_decimals() => await RunSequenceAsync(2);

    private sealed class Run(TreasuryDeployer d, SeededRandom r, CsPoolState state, Observation observation)
    {
        public TreasuryDeployer D { get; } = d;
        public SeededRandom R { get; } = r;
        public CsPoolState State { get; set; } = state;
        public Observation Observation
        {
            get => History[^1];
            set
            {
                if (value.BlockTimestamp == History[^1].BlockTimestamp) return; // once per block
                History.Add(value);
                if (History.Count > 64) History.RemoveAt(0); // the ring's cardinality
            }
        }

        /// <summary>The ring's observations, oldest first.</summary>
        public List<Observation> History { get; } = [observation];
        public long LastReposition { get; set; }
        public Dictionary<string, int> Counts { get; } = [];
        public int ModelRoundTrips { get; set; }
        public BigInteger Trader0 { get; set; }
        public BigInteger Trader1 { get; set; }

        public void Count(string op) => Counts[op] = Counts.GetValueOrDefault(op) + 1;
    }

    private async Task RunSequenceAsync(int index)
    {
        var (settings, defaultSeed) = Sequences[index];
        var seed = SeededRandom.SeedFor(defaultSeed);
        var clock = Stopwatch.StartNew();
        var d = await TreasuryDeployment.DeployAsync(Node, settings);
        // Policy: wide enough that every rebalance this test builds is within it (the guards have their own tests).
        await d.Vault.SetMaxTwapDeviationAsync(d.Owner, d.Pool.Address, 2000);
        await d.Vault.SetMaxSkewAsync(d.Owner, d.Pool.Address, 2000);
        await d.Vault.SetInventoryBoundsAsync(d.Owner, d.Pool.Address, 0, 10_000);
        await d.Vault.SetWidthBoundsAsync(d.Owner, d.Pool.Address, 1, 10_000_000);
        await d.Vault.SetFeeBoundsAsync(d.Owner, d.Pool.Address, 0, 100_000);
        await d.IncreaseTimeAsync(700); // the TWAP window (600 s) lies after the first observation

        var chain = await d.Pool.GetStateAsync();
        var run = new Run(d, new SeededRandom(seed), PoolMirror.ToModel(chain), await PoolMirror.NewestObservationAsync(d.Pool))
        {
            Trader0 = d.BaseUnits(settings.TraderBase),
            Trader1 = d.QuoteUnits(settings.TraderQuote),
        };
        await AssertInvariantsAsync(run, "start", seed);

        for (var op = 0; op < Operations; op++)
        {
            var roll = run.R.Int(0, 100);
            var before = run.State;
            var lBefore = before.Liquidity;
            string name;
            if (roll < 45)
            {
                name = "swap";
                var (zeroForOne, amount) = SwapInput(run);
                var quote = await SwapAsync(run, zeroForOne, amount, $"op {op}");
                if (quote is { } q)
                {
                    // L is unchanged by a swap; the reserves cover it even without the swap's fee (the fee is surplus).
                    Assert.True(run.State.Liquidity == lBefore, $"seed {seed} op {op}: a swap changed L from {lBefore} to {run.State.Liquidity}");
                    var withoutFee = zeroForOne ? run.State with { Reserve0 = run.State.Reserve0 - q.FeeAmount } : run.State with { Reserve1 = run.State.Reserve1 - q.FeeAmount };
                    Assert.True(withoutFee.Capacity >= lBefore, $"seed {seed} op {op}: without its fee the swap would leave L {lBefore} uncovered ({withoutFee.Capacity})");
                    // What the reserves cover (refit) never decreases across a swap: the pool only gains (fee, rounding).
                    Assert.True(run.State.Capacity >= before.Capacity, $"seed {seed} op {op}: a swap lowered the reserves' refit from {before.Capacity} to {run.State.Capacity}");
                }
            }
            else if (roll < 60)
            {
                name = "round trip";
                await RoundTripAsync(run, $"seed {seed} op {op}");
                Assert.True(run.State.Liquidity == lBefore, $"seed {seed} op {op}: a round trip changed L");
            }
            else if (roll < 72)
            {
                name = "time";
                await d.IncreaseTimeAsync(run.R.Int(1, 900));
                Assert.Equal(lBefore, run.State.Liquidity);
            }
            else if (roll < 92)
            {
                name = "rebalance";
                await RebalanceAsync(run, $"seed {seed} op {op}");
            }
            else if (roll < 96)
            {
                name = "deposit";
                var a0 = run.R.Below(run.State.Reserve0 / 20);
                var a1 = run.R.Below(run.State.Reserve1 / 20);
                await d.Vault.DepositAsync(d.Owner, d.Pool.Address, a0, a1);
                run.State = PoolSwap.Sync(run.State, run.State.Reserve0 + a0, run.State.Reserve1 + a1);
                Assert.True(run.State.Liquidity >= lBefore, $"seed {seed} op {op}: a deposit lowered L");
            }
            else
            {
                name = "withdraw";
                var a0 = run.R.Below(run.State.Reserve0 / 20);
                var a1 = run.R.Below(run.State.Reserve1 / 20);
                await d.Vault.WithdrawAsync(d.Owner, d.Pool.Address, a0, a1, d.Owner.Address);
                run.State = PoolSwap.Sync(run.State, run.State.Reserve0 - a0, run.State.Reserve1 - a1);
                Assert.True(run.State.Liquidity <= lBefore, $"seed {seed} op {op}: a withdrawal raised L");
            }

            run.Count(name);
            ModelRoundTrips(run, $"seed {seed} op {op}");
            await AssertInvariantsAsync(run, $"op {op} ({name})", seed);
        }

        output.WriteLine($"sequence {index} (seed {seed}, {settings.BaseDecimals}/{settings.QuoteDecimals} decimals): {Operations} operations " +
            $"({string.Join(", ", run.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"))}), {run.ModelRoundTrips} model round trips, in {clock.ElapsedMilliseconds} ms; " +
            $"final L {run.State.Liquidity}, price {run.State.SqrtPriceX96} in [{run.State.SqrtPriceLowX96}, {run.State.SqrtPriceHighX96}]");
        Assert.True(run.Counts.GetValueOrDefault("rebalance") > 0 && run.Counts.GetValueOrDefault("swap") > 0, "the sequence should mix swaps and rebalances");
    }

    /// <summary>Direction and size: 1 wei, log-uniform up to the input reserve, or past the range edge.</summary>
    private static (bool ZeroForOne, BigInteger Amount) SwapInput(Run run)
    {
        var zeroForOne = run.R.Bool();
        var s = run.State;
        // Towards the nearer edge half of the time is fine; an edge reached is part of the test.
        var reserveIn = zeroForOne ? s.Reserve0 : s.Reserve1;
        var balance = zeroForOne ? run.Trader0 : run.Trader1;
        var amount = run.R.Int(0, 10) switch
        {
            0 => BigInteger.One,
            1 => reserveIn * 2,
            _ => run.R.Bits(1, (int)BigInteger.Max(reserveIn, 2).GetBitLength()),
        };
        return (zeroForOne, BigInteger.Max(BigInteger.One, BigInteger.Min(amount, balance)));
    }

    /// <summary>A real swap checked against the model; null when it reverts (as the model says it must).</summary>
    private static async Task<PoolQuote?> SwapAsync(Run run, bool zeroForOne, BigInteger amount, string context)
    {
        (CsPoolState State, PoolQuote Quote) expected;
        try { expected = PoolSwap.Swap(run.State, zeroForOne, amount); }
        catch (CurveMathException e)
        {
            var error = await Assert.ThrowsAsync<ContractRevertException>(() => run.D.SwapAsync(zeroForOne, amount));
            Assert.Equal(e.Reason, error.ErrorName);
            return null;
        }

        var quoted = await run.D.Pool.QuoteExactInAsync(zeroForOne, amount);
        Assert.Equal(expected.Quote, new PoolQuote(quoted.AmountInUsed, quoted.AmountOut, quoted.FeeAmount, quoted.SqrtPriceAfterX96));
        var receipt = await run.D.SwapAsync(zeroForOne, amount);
        var ev = Assert.Single(ManagedPool.SwapEvents(receipt));
        Assert.True(expected.Quote == new PoolQuote(ev.AmountIn, ev.AmountOut, ev.FeeAmount, ev.SqrtPriceX96), $"{context}: Swap event differs from the C# quote {expected.Quote}");
        run.Observation = ObservationMath.Write(run.Observation, await PoolMirror.BlockTimestampAsync(run.D, receipt), run.State.SqrtPriceX96);
        run.State = expected.State;
        if (zeroForOne) { run.Trader0 -= ev.AmountIn; run.Trader1 += ev.AmountOut; }
        else { run.Trader1 -= ev.AmountIn; run.Trader0 += ev.AmountOut; }
        return expected.Quote;
    }

    /// <summary>Swap in, swap the whole output back: never more back than was put in.</summary>
    private static async Task RoundTripAsync(Run run, string context)
    {
        var (zeroForOne, amount) = SwapInput(run);
        var there = await SwapAsync(run, zeroForOne, amount, context + " there");
        if (there is not { } q || q.AmountOut.IsZero) return;
        var back = await SwapAsync(run, !zeroForOne, q.AmountOut, context + " back");
        if (back is { } b)
            Assert.True(b.AmountOut <= q.AmountInUsed, $"{context}: round trip put in {q.AmountInUsed} and got {b.AmountOut} back");
    }

    /// <summary>40 round trips of random sizes and directions on the model of the current state (bit-exact to the chain).</summary>
    private static void ModelRoundTrips(Run run, string context)
    {
        for (var i = 0; i < 40; i++)
        {
            var (zeroForOne, amount) = SwapInput(run);
            (CsPoolState State, PoolQuote Quote) there;
            try { there = PoolSwap.Swap(run.State, zeroForOne, amount); }
            catch (CurveMathException) { continue; }
            if (there.Quote.AmountOut.IsZero) continue;
            PoolQuote back;
            try { back = PoolSwap.Swap(there.State, !zeroForOne, there.Quote.AmountOut).Quote; }
            catch (CurveMathException) { continue; }
            Assert.True(back.AmountOut <= there.Quote.AmountInUsed, $"{context}: model round trip of {amount} put in {there.Quote.AmountInUsed}, got {back.AmountOut} back");
            Assert.True(there.State.Liquidity == run.State.Liquidity && there.State.Capacity >= there.State.Liquidity, $"{context}: a model swap changed L or left it uncovered");
            run.ModelRoundTrips++;
        }
    }

    /// <summary>A keeper rebalance within the policy: the oracle at the pool's TWAP, a centre within ±10% of it, one
    /// bound 0.5%..30% away (sqrt terms), a fee from the usual tiers; the result must equal the model's reposition.</summary>
    private async Task RebalanceAsync(Run run, string context)
    {
        var d = run.D;
        var now = await d.LatestTimestampAsync();
        if (now - run.LastReposition < 61) await d.IncreaseTimeAsync(61);
        var twap = await d.Pool.ConsultAsync(600);
        var s = d.Settings;
        // raw price = 2^(lp / 2^24); human = raw · 10^(baseDecimals − quoteDecimals); the oracle has 8 decimals.
        var twapLog2 = (double)twap.MeanLogPrice / (1 << 24);
        var human = Math.Pow(2, twapLog2) * Math.Pow(10, s.BaseDecimals - s.QuoteDecimals);
        var oracle = new BigInteger(Math.Round(human * 1e8));
        var sqrtTwap = Math.Pow(2, twapLog2 / 2);

        // The vault lets the centre skew only toward the target base share (5,000 bps with bounds [0, 10,000]) and by at
        // most maxSkew · |share − target| / 5,000: the skew is drawn within that (90%, less 1 bp for the oracle's rounding).
        var rawPrice = Math.Pow(2, twapLog2);
        var v0 = (double)run.State.Reserve0 * rawPrice;
        var share = v0 + (double)run.State.Reserve1 > 0 ? v0 / (v0 + (double)run.State.Reserve1) : 0.5;
        var allowedBps = Math.Max(0, 2000 * Math.Abs(share - 0.5) / 0.5 * 0.9 - 1);
        var direction = share > 0.5 ? -1 : 1;
        // the loss budget is the vault's (its own tests); this test is about the pool
        await d.Vault.ResetLossWindowAsync(d.Owner, d.Pool.Address);

        for (var attempt = 0; attempt < 8; attempt++)
        {
            var skew = direction * run.R.Double() * allowedBps / 1e4;
            var centre = new BigInteger(sqrtTwap * Math.Sqrt(1 + skew) * Math.Pow(2, 96));
            var w = 0.005 + run.R.Double() * 0.295;
            var lower = run.R.Bool();
            var bound = new BigInteger((double)centre * (lower ? 1 - w : 1 + w));
            var fee = run.R.Pick(new[] { 100, 500, 3000, 10_000, 30_000 });
            CsPoolState expected;
            try { expected = PoolSwap.Reposition(run.State, centre, bound, fee); }
            catch (CurveMathException) { continue; }
            var width = WidthBps(expected.SqrtPriceLowX96, expected.SqrtPriceHighX96);
            if (width < 1 || width > 10_000_000) continue;
            var preview = await d.Pool.PreviewRepositionAsync(centre, bound);
            Assert.Equal((expected.Liquidity, expected.SqrtPriceLowX96, expected.SqrtPriceHighX96), (preview.L, preview.Low, preview.High));

            await d.Oracle.UpdateAsync(d.Reporter, oracle, s.OracleVolatility);
            var receipt = await d.Vault.RebalanceAsync(d.Keeper, d.Pool.Address, new TreasuryVault.Target(centre, bound, fee, 65535));
            run.Observation = ObservationMath.Write(run.Observation, await PoolMirror.BlockTimestampAsync(d, receipt), run.State.SqrtPriceX96);
            run.LastReposition = await PoolMirror.BlockTimestampAsync(d, receipt);
            Assert.Equal((run.State.Reserve0, run.State.Reserve1), (expected.Reserve0, expected.Reserve1)); // no token moves
            Assert.Equal(expected.Capacity, expected.Liquidity); // the fit uses every fee accrued (refit = fitted L)
            run.State = expected;
            return;
        }

        output.WriteLine($"{context}: no rebalance target within policy found in 8 attempts; skipped");
    }

    /// <summary>TreasuryVault's width: r = ⌊b·2^96/a⌋, p = ⌊r²/2^96⌋, (p − 2^96)·1e4/2^96 (max when r ≥ 2^128).</summary>
    private static BigInteger WidthBps(BigInteger a, BigInteger b)
    {
        var r = (b << 96) / a;
        if (r >= BigInteger.One << 128) return Uint.Max256;
        var p = r * r >> 96;
        return (p - Uint.Q96) * 10_000 / Uint.Q96;
    }

    private async Task AssertInvariantsAsync(Run run, string context, int seed)
    {
        var d = run.D;
        var chain = await d.Pool.GetStateAsync();
        var where = $"seed {seed} {context}";
        PoolMirror.AssertEqual(run.State, chain, where);
        Assert.True(chain.Reserve0 == await d.Base.BalanceOfAsync(d.Pool.Address), $"{where}: reserve0 differs from the pool's token0 balance");
        Assert.True(chain.Reserve1 == await d.Quote.BalanceOfAsync(d.Pool.Address), $"{where}: reserve1 differs from the pool's token1 balance");
        Assert.True(chain.SqrtPriceLowX96 <= chain.SqrtPriceX96 && chain.SqrtPriceX96 <= chain.SqrtPriceHighX96,
            $"{where}: price {chain.SqrtPriceX96} outside [{chain.SqrtPriceLowX96}, {chain.SqrtPriceHighX96}]");
        Assert.Equal(run.Observation, await PoolMirror.NewestObservationAsync(d.Pool));
        Assert.Equal(LogMath.LogPrice(chain.SqrtPriceX96), await d.Pool.CurrentLogPriceAsync());

        // Observation reads (consult, observe) at the latest block, against the C# ring.
        var block = await d.Eth.GetBlockAsync();
        var now = block.Timestamp.ToUnixTimeSeconds();
        var lpNow = LogMath.LogPrice(run.State.SqrtPriceX96);
        var history = run.History.ToArray();
        var age = now - history[0].BlockTimestamp;
        var windows = new[] { 1L, 13, 60, 600, Math.Max(1, age), age + 1, Math.Max(1, run.R.Int(1, (int)Math.Min(age + 2, 5000))) };
        var cases = new List<DiffCase>();
        foreach (var w in windows)
        {
            cases.Add(new DiffCase("consult(uint32)", [new BigInteger(w)], () => Outcome.Of(() =>
            {
                var (mean, sum) = ObservationReads.Consult(history, now, w, lpNow);
                return [mean, sum];
            })));
        }

        var agos = windows.Prepend(0).Where(w => w <= age).Select(w => new BigInteger(w)).ToArray(); // all within the ring
        cases.Add(new DiffCase("observe(uint32[])", [agos.Cast<object?>().ToArray()], () => Outcome.Of(() =>
        {
            var points = agos.Select(a => ObservationReads.ObserveSingle(history, now, (long)a, lpNow)).ToArray();
            return [.. points.Select(p => p.LogPriceCumulative), .. points.Select(p => p.SquaredReturnCumulative)];
        })));
        await DifferentialRun.CompareAsync(Node.Rpc, d.Pool.Address, ManagedPool.Abi, seed, cases, Verbose ? output : null, where, BlockTag.Number(block.Number).Value);
    }
}
