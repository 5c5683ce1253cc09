using TreasuryManager.Models.Estimators;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;
using static TreasuryManager.Strategy.Tests.DeciderTests;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The Decider's stages at the edges the stage tests leave open: the vault's share bounds are inclusive, the minimum
/// interval counts from the last rebalance, the larger of feed and EWMA σ is used and shown, the fitted intensity
/// replaces the configured one, and a disabled defence ignores an active signal (same pools and policy as DeciderTests).
/// </summary>
public sealed class DeciderEdgeTests
{
    private const long Now = 1_800_000_000;
    private static readonly PoolTargets Targets = new(5000, 3000);
    private static readonly StrategySettings Settings = new() { RangeWidth = RangeWidthRule.StdDevs, FeeRule = FeeRule.Model }; // the σ rule and the model's fee: what these tests pin
    private static readonly PoolEstimates NoEstimates = new(null, null, null, 0);
    private static readonly DecisionContext Context = new(Now, 20_000_000_000, 90_000, 3000, false);

    private static StrategyDecision Decide(PoolInputs inputs, PoolEstimates? estimates = null, StrategySettings? settings = null) =>
        Decider.Decide(inputs, estimates ?? NoEstimates, Targets, settings ?? Settings, Context);

    [Fact]
    public void Missing_arguments_are_refused()
    {
        var inputs = DeciderTests.Inputs(Pool(2000, 500, 1_000_000), 2000);
        Assert.Throws<ArgumentNullException>(() => Decider.Decide(null!, NoEstimates, Targets, Settings, Context));
        Assert.Throws<ArgumentNullException>(() => Decider.Decide(inputs, null!, Targets, Settings, Context));
        Assert.Throws<ArgumentNullException>(() => Decider.Decide(inputs, NoEstimates, null!, Settings, Context));
        Assert.Throws<ArgumentNullException>(() => Decider.Decide(inputs, NoEstimates, Targets, null!, Context));
        Assert.Throws<ArgumentNullException>(() => Decider.Decide(inputs, NoEstimates, Targets, Settings, null!));
    }

    [Fact]
    public void A_share_exactly_on_the_vaults_bounds_is_inside_them()
    {
        // 50 base at 2000 + 900,000 quote: base is exactly 10.00% (the policy's minimum); 450 + 100,000: exactly 90.00%.
        var atMin = Decide(DeciderTests.Inputs(Pool(2000, 50, 900_000), 2000));
        Assert.Equal(1000, atMin.Inventory!.BaseShareBps);
        Assert.NotEqual(HoldReason.OutsidePolicy, (atMin as HoldAction)?.Reason);
        var atMax = Decide(DeciderTests.Inputs(Pool(2000, 450, 100_000), 2000));
        Assert.Equal(9000, atMax.Inventory!.BaseShareBps);
        Assert.NotEqual(HoldReason.OutsidePolicy, (atMax as HoldAction)?.Reason);
    }

    [Fact]
    public void The_minimum_interval_runs_from_the_last_rebalance()
    {
        var recent = Decide(DeciderTests.Inputs(Pool(2000, 800, 400_000, lastReposition: Now - 300), 2000));
        var hold = Assert.IsType<HoldAction>(recent);
        Assert.Equal(HoldReason.TooSoon, hold.Reason);
        // chain times in UTC, not Unix seconds, and the wait from the block's time
        Assert.Equal("last rebalance at 2027-01-15 07:55:00 UTC, the policy's minimum interval is 600 s (next at 2027-01-15 08:05:00 UTC, 300 s from the block's time)", hold.Detail);
    }

    [Fact]
    public void The_larger_of_the_feed_and_the_pools_ewma_is_the_volatility()
    {
        var feed = new FeedReading("vol", 80_000_000, Now, 8); // 0.8 a year: 0.8/√365 = 0.041873 per √day
        var (fromFeed, _) = Decider.Volatility(feed, NoEstimates with { EwmaVolatilityPerDay = 0.03 });
        Assert.Equal(0.8 / Math.Sqrt(365), fromFeed!.Value, 12);
        var (fromEwma, _) = Decider.Volatility(feed, NoEstimates with { EwmaVolatilityPerDay = 0.05 });
        Assert.Equal(0.05, fromEwma);
        Assert.Equal(0.05, Decider.Volatility(null, NoEstimates with { EwmaVolatilityPerDay = 0.05 }).Sigma);
        Assert.Null(Decider.Volatility(null, NoEstimates).Sigma);
        // The view shows the σ used.
        var view = Decide(DeciderTests.Inputs(Pool(2000, 800, 400_000), 2000), NoEstimates with { EwmaVolatilityPerDay = 0.05 }).Inventory!;
        Assert.Equal(0.05, view.VolatilityPerDay);
        Assert.Equal(2000, view.OraclePrice, 9);
        Assert.Equal(2000, view.PoolPrice, 6);
    }

    [Fact]
    public void A_fitted_intensity_replaces_the_configured_one()
    {
        var inputs = DeciderTests.Inputs(Pool(2000, 800, 400_000), 2000);
        var configured = Assert.IsType<RebalanceAction>(Decide(inputs));
        var fitted = Assert.IsType<RebalanceAction>(Decide(inputs, NoEstimates with { Intensity = new IntensityFit(Settings.IntensityA * 20, Settings.IntensityK / 3, 500) }));
        Assert.NotEqual(configured.Target, fitted.Target);
    }

    [Fact]
    public void A_disabled_defence_ignores_an_active_signal()
    {
        var signal = new DefenceSignal(true, 0.95, 1.2, Now - 100, "VPIN 0.95", DefenceTrigger.Vpin);
        // A balanced pool inside its band: held, whatever the monitor says, while the defence is off.
        var held = Decide(DeciderTests.Inputs(Pool(2000, 500, 1_000_000), 2000), NoEstimates with { Defence = signal }, Settings with { Defence = new DefenceSettings { Enabled = false } });
        Assert.Equal(HoldReason.InsideBand, Assert.IsType<HoldAction>(held).Reason);
    }

    [Fact]
    public void The_measure_reads_the_pool_in_its_tokens_decimals_and_a_pool_at_its_range_edge_has_no_depth_and_no_band()
    {
        // The same raw pool read as an 18-decimal base and a 6-decimal quote: its price is 10¹² times the raw one.
        var raw = DeciderTests.Inputs(Pool(2000, 500, 1_000_000), 2000);
        var view = Decide(raw with { QuoteDecimals = 6 }).Inventory!;
        Assert.Equal(2000e12, view.PoolPrice, 1e3);
        Assert.Equal(500, view.Base, 9);
        // At the upper edge of its range the curve quotes one side only: depth 0, so no band (and no error).
        var pool = Pool(2000, 800, 400_000);
        var edge = Decide(DeciderTests.Inputs(pool with { SqrtPriceX96 = pool.SqrtPriceHighX96 }, 2000)).Inventory;
        Assert.NotNull(edge);
        Assert.Equal(0, edge!.Band);
        Assert.True(Decide(DeciderTests.Inputs(pool, 2000)).Inventory!.Band > 0);
    }
}
