using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Estimators;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The Estimate step of one pool against the models' estimators fed by hand: prices and sizes turned into human units
/// (an 18-decimal base, a 6-decimal quote, so a wrong decimal scale shows), times into days, exposure and fills at the
/// fee the pool quoted, the toxic-flow monitor's trades; and the fee income by its formula.
/// </summary>
public sealed class PoolEstimatorsTests
{
    private const long T0 = 1_800_000_000;
    private const int BaseDecimals = 18, QuoteDecimals = 6;
    private const double Day = 86_400;

    /// <summary>The raw sqrt price of a human price (quote per base).</summary>
    private static BigInteger Sqrt(double humanPrice) => Uint.SqrtPriceX96FromPrice(humanPrice * Math.Pow(10, QuoteDecimals - BaseDecimals));

    private static PoolSnapshot Pool(double humanPrice, int feePips) =>
        new(Sqrt(humanPrice), 0, 0, 0, feePips, BigInteger.Parse("500000000000000000000"), 1_000_000_000_000, false, 0);

    private static FeedReading Oracle(double price) => new("price", new BigInteger(Math.Round(price * 1e8)), T0, 8);

    [Fact]
    public void Every_estimate_equals_its_model_fed_in_human_units_and_days()
    {
        var defence = new DefenceSettings { VpinBuckets = 2 };
        var estimators = new PoolEstimators(volatilitySmoothingSeconds: 3600, markoutHorizonSeconds: 300, defence);
        var ewma = new EwmaVolatility(3600 / Day, minObservations: 10);
        var intensity = new IntensityEstimator(distanceResolution: 1e-4, minFills: 50);
        var markout = new MarkoutToxicity(300 / Day);
        var monitor = new ToxicFlowMonitor(defence);
        long? last = null;
        double lastFee = 0, lastPrice = 0;
        var swapsSeen = 0;
        for (var i = 0; i < 80; i++)
        {
            var t = T0 + 300L * i;
            var price = 2000 * Math.Exp(0.01 * Math.Sin(i * 0.7) + 0.002 * i);
            var feePips = i < 40 ? 3000 : 5000;
            var fee = feePips / 1e6;
            // Two swaps a cycle (one every other cycle at the higher fee): one sells 20 + i/10 base, one buys 35 base for 70,000 quote
            // (enough volume to fill the monitor's VPIN buckets of 3% of the pool's value).
            var sold = new BigInteger((20 + i / 10.0) * 1e18);
            var swaps = new List<SwapSeen>
            {
                new(i, ZeroForOne: true, sold, new BigInteger(900e6), Sqrt(price * 0.999)),
                new(i, ZeroForOne: false, new BigInteger(70_000e6), new BigInteger(35e18), Sqrt(price * 1.0005)),
            };
            if (i >= 40 && i % 2 == 1) swaps.RemoveAt(1); // fewer fills at the wider fee: the intensity falls with distance
            var estimates = estimators.Update(Pool(price, feePips), swaps, Oracle(price * 1.001), t, BaseDecimals, QuoteDecimals);

            // By hand: exposure since the last cycle at the fee then quoted, one fill per swap at the current fee.
            if (last is { } l) intensity.AddExposure(lastFee, (t - l) / Day);
            var flow = new List<FlowTrade>();
            var before = lastPrice > 0 ? lastPrice : price;
            foreach (var swap in swaps)
            {
                var p = Uint.PriceFromSqrtPriceX96(swap.SqrtPriceX96) * 1e12;
                var size = (double)(swap.ZeroForOne ? swap.AmountIn : swap.AmountOut) / 1e18;
                intensity.AddFill(fee);
                markout.AddTrade(t / Day, p, swap.ZeroForOne ? -size : size);
                flow.Add(new FlowTrade(before, p, size * p, BuysBase: !swap.ZeroForOne));
                before = p;
            }
            var poolPrice = Uint.PriceFromSqrtPriceX96(Sqrt(price)) * 1e12;
            ewma.Update(t / Day, Oracle(price * 1.001).Value); // the oracle's price (the keeper reads one): not the pool's, which bounces with each order
            markout.OnPrice(t / Day, poolPrice);
            monitor.Update(t, flow, poolPrice, price * 1.001, fee, 500 * price * 1.001 + 1_000_000);
            swapsSeen += swaps.Count;
            (last, lastFee, lastPrice) = (t, fee, poolPrice);

            Assert.Equal(swapsSeen, estimates.SwapsSeen);
            Assert.Equal(ewma.Volatility, estimates.EwmaVolatilityPerDay);
            Assert.Equal(i >= 10, estimates.EwmaVolatilityPerDay is not null);
            Assert.Equal(intensity.IsReady ? intensity.Fit() : null, estimates.Intensity);
            Assert.Equal(markout.Markout, estimates.Markout);
            Assert.Equal(monitor.Signal, estimates.Defence);
        }
        Assert.NotNull(monitor.Signal.Vpin);
        Assert.Throws<ArgumentNullException>(() => estimators.Update(null, null!, null, T0, BaseDecimals, QuoteDecimals));
        Assert.NotNull(estimates_of(estimators).Intensity);
        Assert.NotNull(estimates_of(estimators).Markout);

        static PoolEstimates estimates_of(PoolEstimators e) => e.Update(null, [], null, T0 + 300L * 80, BaseDecimals, QuoteDecimals);
    }

    [Fact]
    public void Volatility_follows_the_oracles_price_not_the_pools_bounce_and_never_mixes_the_two()
    {
        // the pool's price bounces ±1% each cycle (an order moves it, arbitrage moves it back); the oracle drifts 0.01% a cycle
        var withOracle = new PoolEstimators(3600);
        var poolOnly = new PoolEstimators(3600);
        PoolEstimates a = null!, b = null!;
        for (var i = 0; i < 40; i++)
        {
            var t = T0 + 300L * i;
            var pool = Pool(2000 * (1 + 0.01 * (i % 2 == 0 ? 1 : -1)), 3000);
            // a cycle whose oracle read failed adds nothing (never the pool's price in its place)
            a = withOracle.Update(pool, [], i == 20 ? null : Oracle(2000 * Math.Pow(1.0001, i)), t, BaseDecimals, QuoteDecimals);
            b = poolOnly.Update(pool, [], null, t, BaseDecimals, QuoteDecimals);
        }
        var perDay = Math.Sqrt(288); // 300 s cycles
        Assert.InRange(a.EwmaVolatilityPerDay!.Value, 0.0001 * perDay * 0.9, 0.0001 * perDay * 1.5);
        Assert.InRange(b.EwmaVolatilityPerDay!.Value, 0.02 * perDay * 0.9, 0.02 * perDay * 1.1); // no oracle: the pool's own price
    }

    [Fact]
    public void A_cycle_whose_time_did_not_advance_counts_its_swaps_but_updates_nothing_timed()
    {
        var estimators = new PoolEstimators(3600);
        for (var i = 0; i < 12; i++)
            estimators.Update(Pool(2000 * (1 + 0.01 * (i % 2)), 3000), [], null, T0 + 300L * i, BaseDecimals, QuoteDecimals);
        var before = estimators.Update(null, [], null, T0 + 300L * 11, BaseDecimals, QuoteDecimals);
        Assert.NotNull(before.EwmaVolatilityPerDay);
        var swap = new SwapSeen(1, false, new BigInteger(1000e6), new BigInteger(0.5e18), Sqrt(2100));
        var same = estimators.Update(Pool(2100, 3000), [swap], null, T0 + 300L * 11, BaseDecimals, QuoteDecimals);
        Assert.Equal(1, same.SwapsSeen);
        Assert.Equal(before.EwmaVolatilityPerDay, same.EwmaVolatilityPerDay);
        // A failed read (no state) leaves everything as it stood, swaps included.
        var failed = estimators.Update(null, [swap], null, T0 + 300L * 12, BaseDecimals, QuoteDecimals);
        Assert.Equal(1, failed.SwapsSeen);
        Assert.Equal(before.EwmaVolatilityPerDay, failed.EwmaVolatilityPerDay);
    }

    [Fact]
    public void Fee_income_is_the_decayed_fee_sum_over_the_bias_corrected_window()
    {
        var estimators = new PoolEstimators(3600);
        // Cycle 1 at T0: a quote-in swap of 1000 quote and a base-in swap of 2 base at 2000 (4000 quote), fee 0.3%:
        // fees 3 + 12 = 15 quote.
        var swaps = new List<SwapSeen>
        {
            new(1, ZeroForOne: false, new BigInteger(1000e6), new BigInteger(0.5e18), Sqrt(2000)),
            new(1, ZeroForOne: true, new BigInteger(2e18), new BigInteger(4000e6), Sqrt(2000)),
        };
        Assert.Null(estimators.Update(Pool(2000, 3000), swaps, null, T0, BaseDecimals, QuoteDecimals).FeeIncomePerDay);
        // Younger than a quarter day: no estimate yet.
        Assert.Null(estimators.Update(Pool(2000, 3000), [], null, T0 + 21_599, BaseDecimals, QuoteDecimals).FeeIncomePerDay);
        // At a quarter day (T = 0.25, τ = 1): 15·e^(−0.25) / (1 − e^(−0.25)) = 52.81… quote per day.
        var quarter = estimators.Update(Pool(2000, 3000), [], null, T0 + 21_600, BaseDecimals, QuoteDecimals).FeeIncomePerDay;
        Assert.NotNull(quarter);
        Assert.Equal(15 * Math.Exp(-0.25) / (1 - Math.Exp(-0.25)), quarter!.Value, 6);
        // A day later still: 15·e^(−1.25) / (1 − e^(−1.25)).
        var later = estimators.Update(Pool(2000, 3000), [], null, T0 + 108_000, BaseDecimals, QuoteDecimals).FeeIncomePerDay;
        Assert.Equal(15 * Math.Exp(-1.25) / (1 - Math.Exp(-1.25)), later!.Value, 6);
    }

    [Fact]
    public void Fee_income_is_split_by_the_fee_each_swap_paid_and_the_parts_sum_to_the_whole()
    {
        var estimators = new PoolEstimators(3600);
        // 1000 quote in at 0.3% (3 quote of fees), then, after the fee was raised, 1000 quote in at 0.5% (5 quote)
        var swap = new SwapSeen(1, ZeroForOne: false, new BigInteger(1000e6), new BigInteger(0.5e18), Sqrt(2000));
        Assert.Null(estimators.Update(Pool(2000, 3000), [swap], null, T0, BaseDecimals, QuoteDecimals).FeeIncomeByFeePips);
        estimators.Update(Pool(2000, 5000), [swap], null, T0 + 3_600, BaseDecimals, QuoteDecimals);
        var e = estimators.Update(Pool(2000, 5000), [], null, T0 + 21_600, BaseDecimals, QuoteDecimals);
        var byFee = e.FeeIncomeByFeePips!;
        Assert.Equal([3000, 5000], byFee.Keys.Order());
        // each part decayed from its own swap's time, corrected by the same factor as the whole
        var correction = 1 / (1 - Math.Exp(-0.25));
        Assert.Equal(3 * Math.Exp(-0.25) * correction, byFee[3000], 6);
        Assert.Equal(5 * Math.Exp(-0.25 + 1 / 24.0) * correction, byFee[5000], 6);
        Assert.Equal(e.FeeIncomePerDay!.Value, byFee.Values.Sum(), 9);
        // a month later, with swaps only at 5000, the 3000-pip part (e^(−30) of it left, under 1e-12 of the whole) is dropped
        for (var day = 1; day <= 30; day++)
            e = estimators.Update(Pool(2000, 5000), [swap], null, T0 + 21_600 + day * 86_400L, BaseDecimals, QuoteDecimals);
        Assert.Equal([5000], e.FeeIncomeByFeePips!.Keys);
        Assert.Equal(e.FeeIncomePerDay!.Value, e.FeeIncomeByFeePips[5000], 9);
    }
}
