using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Policy;
using TreasuryManager.Models.Risk;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The Decider stage by stage on plain inputs (a pool of 18/18-decimal tokens, an 8-decimal oracle): each precondition
/// holds with its reason at its boundary, the band and the hard limit, and every rebalance it returns satisfies the
/// vault's policy bounds the vault will check.
/// </summary>
public sealed class DeciderTests
{
    private const long Now = 1_800_000_000;
    private static readonly PoolTargets Targets = new(5000, 3000);
    private static readonly StrategySettings Settings = new() { RangeWidth = RangeWidthRule.StdDevs, FeeRule = FeeRule.Model }; // the σ rule and the model's fee: what these tests pin

    internal static BigInteger MaxTwapDeviationLog(int bps) => LogMath.LogPrice(Uint.Sqrt(FullMath.MulDiv(10_000 + bps, BigInteger.One << 192, 10_000)));

    internal static readonly PoolPolicy Policy = new(HeartbeatSeconds: 3600, HasVolatilityFeed: true, TwapWindowSeconds: 1800, MaxTwapDeviationBps: 200,
        MaxTwapDeviationLog(200), MaxSkewBps: 300, MinFeePips: 500, MaxFeePips: 10_000, MinWidthBps: 200, MaxWidthBps: 50_000,
        MinRebalanceIntervalSeconds: 600, MinBaseShareBps: 1000, MaxBaseShareBps: 9000, PriceScaleExp: -8);

    /// <summary>A pool at <paramref name="price"/> holding <paramref name="baseAmount"/> base and <paramref name="quoteAmount"/> quote on a ±<paramref name="halfWidth"/> (log) range.</summary>
    internal static PoolSnapshot Pool(double price, double baseAmount, double quoteAmount, double halfWidth = 0.05, int feePips = 3000, long lastReposition = 0)
    {
        var r0 = new BigInteger(baseAmount * 1e18);
        var r1 = new BigInteger(quoteAmount * 1e18);
        var sqrt = Uint.SqrtPriceX96FromPrice(price);
        var state = new PoolState(sqrt, 0, 0, r0, r1, feePips, 0);
        var bound = Rules.RangeFit.Fit(state, sqrt, price, halfWidth).Fit!.Value;
        return new PoolSnapshot(sqrt, bound.Low, bound.High, bound.Liquidity, feePips, r0, r1, false, lastReposition);
    }

    internal static PoolInputs Inputs(PoolSnapshot pool, double oracle, long priceAge = 60, long volAge = 60, double volAnnual = 0.8)
    {
        var price = new FeedReading("price", new BigInteger(Math.Round(oracle * 1e8)), Now - priceAge, 8);
        var vol = new FeedReading("vol", new BigInteger(Math.Round(volAnnual * 1e8)), Now - volAge, 8);
        var twap = new BigInteger(Math.Round(Math.Log(Uint.PriceFromSqrtPriceX96(pool.SqrtPriceX96)) / Math.Log(2) * (1 << 24)));
        return new PoolInputs(pool, Policy, price, vol, twap, 18, 18);
    }

    private static readonly PoolEstimates NoEstimates = new(null, null, null, 0);

    private static DecisionContext Context(bool inFlight = false) => new(Now, 20_000_000_000, 90_000, 3000, inFlight);

    private static StrategyDecision Decide(PoolInputs inputs, PoolEstimates? estimates = null, StrategySettings? settings = null, bool inFlight = false) =>
        Decider.Decide(inputs, estimates ?? NoEstimates, Targets, settings ?? Settings, Context(inFlight));

    private static HoldReason HoldOf(StrategyDecision d) => Assert.IsType<HoldAction>(d).Reason;

    private static readonly PoolSnapshot Balanced = Pool(2000, 500, 1_000_000);

    [Fact]
    public void A_paused_pool_holds() => Assert.Equal(HoldReason.PoolPaused, HoldOf(Decide(Inputs(Balanced with { Paused = true }, 2000))));

    [Fact]
    public void The_price_feed_is_stale_one_second_past_its_heartbeat_and_not_at_it()
    {
        Assert.Equal(HoldReason.StaleOracle, HoldOf(Decide(Inputs(Balanced, 2000, priceAge: 3601))));
        Assert.NotEqual(HoldReason.StaleOracle, HoldOf(Decide(Inputs(Balanced, 2000, priceAge: 3600))));
        Assert.Equal(HoldReason.StaleOracle, HoldOf(Decide(Inputs(Balanced, 2000, volAge: 3601))));
    }

    [Fact]
    public void A_non_positive_answer_is_not_a_price()
    {
        Assert.Equal(HoldReason.BadOracleAnswer, HoldOf(Decide(Inputs(Balanced, 0))));
        Assert.Equal(HoldReason.BadOracleAnswer, HoldOf(Decide(Inputs(Balanced, 2000, volAnnual: 0))));
        Assert.Equal(HoldReason.ObserveFailed, HoldOf(Decide(Inputs(Balanced, 2000) with { Volatility = null })));
    }

    [Fact]
    public void An_inventory_outside_the_vaults_bounds_holds_naming_them()
    {
        var lopsided = Pool(2000, 950, 100_000); // 95% base
        var hold = Assert.IsType<HoldAction>(Decide(Inputs(lopsided, 2000)));
        Assert.Equal(HoldReason.OutsidePolicy, hold.Reason);
        Assert.Contains("[10%, 90%]", hold.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void With_recovery_allowed_an_inventory_outside_the_bounds_is_recentred_with_its_skew_toward_the_target_only()
    {
        var lopsided = Pool(2000, 950, 100_000); // 95% base: past the 90% bound
        var inputs = Inputs(lopsided, 2000) with { Policy = Policy with { AllowInventoryRecovery = true } };
        var plan = Assert.IsType<RebalanceAction>(Decide(inputs));
        Assert.Equal(RebalanceKind.Urgent, plan.Kind);
        Assert.StartsWith("RECOVERY:", plan.Reasons[0], StringComparison.Ordinal);
        var priceX128 = VaultPolicyMath.PriceX128(inputs.Price.Answer, Policy.PriceScaleExp)!.Value;
        var share = VaultPolicyMath.BaseShareBps(lopsided.Reserve0, lopsided.Reserve1, priceX128);
        var skew = VaultPolicyMath.SignedSkewBps(plan.Target.SqrtPriceX96, priceX128);
        Assert.True(skew < 0, $"the centre must sit below the oracle to sell the surplus base (skew {skew} bps)");
        Assert.True(VaultPolicyMath.SkewTowardInventoryOk(skew, share, Policy.MinBaseShareBps, Policy.MaxBaseShareBps, Policy.MaxSkewBps));
        // the same on the quote side: 5% base, centre above the oracle
        var quoteHeavy = Pool(2000, 50, 1_900_000);
        var up = Assert.IsType<RebalanceAction>(Decide(Inputs(quoteHeavy, 2000) with { Policy = Policy with { AllowInventoryRecovery = true } }));
        Assert.True(VaultPolicyMath.SignedSkewBps(up.Target.SqrtPriceX96, priceX128) > 0);
    }

    [Fact]
    public void A_pool_pinned_at_its_range_edge_with_the_oracle_beyond_it_is_exempt_from_the_twap_check_and_nothing_else_is()
    {
        // a crash: the pool's price sits on its low bound (swaps stop there), the oracle 30% below, the TWAP at the edge
        var pool = Pool(2000, 500, 1_000_000);
        var pinned = pool with { SqrtPriceX96 = pool.SqrtPriceLowX96 };
        var edgePrice = Uint.PriceFromSqrtPriceX96(pool.SqrtPriceLowX96);
        var twapAtEdge = new BigInteger(Math.Round(Math.Log(edgePrice) / Math.Log(2) * (1 << 24)));
        var policy = Policy with { AllowInventoryRecovery = true };
        PoolInputs At(PoolSnapshot p, double oracle) => Inputs(p, oracle) with { TwapLogPrice = twapAtEdge, Policy = policy };
        Assert.NotEqual(HoldReason.TwapDeviates, (Decide(At(pinned, edgePrice * 0.7)) as HoldAction)?.Reason);
        Assert.IsType<RebalanceAction>(Decide(At(pinned, edgePrice * 0.7)));
        // one unit inside the edge, or the oracle on the other side: the check applies
        Assert.Equal(HoldReason.TwapDeviates, HoldOf(Decide(At(pinned with { SqrtPriceX96 = pool.SqrtPriceLowX96 + 1 }, edgePrice * 0.7))));
        Assert.Equal(HoldReason.TwapDeviates, HoldOf(Decide(At(pinned, edgePrice * 1.3))));
        // the mirror image at the high bound
        var high = pool with { SqrtPriceX96 = pool.SqrtPriceHighX96 };
        var highPrice = Uint.PriceFromSqrtPriceX96(pool.SqrtPriceHighX96);
        Assert.True(VaultPolicyMath.TwapCheckExempt(high.SqrtPriceX96, high.SqrtPriceLowX96, high.SqrtPriceHighX96,
            VaultPolicyMath.PriceX128(new BigInteger(Math.Round(highPrice * 1.3 * 1e8)), -8)!.Value));
        Assert.False(VaultPolicyMath.TwapCheckExempt(high.SqrtPriceX96, high.SqrtPriceLowX96, high.SqrtPriceHighX96,
            VaultPolicyMath.PriceX128(new BigInteger(Math.Round(highPrice * 0.7 * 1e8)), -8)!.Value));
    }

    [Fact]
    public void The_fee_rule_keeps_the_pools_fee_unless_the_change_pays_for_its_gas_and_steps_the_fee_up_with_volatility()
    {
        var settings = Settings with { FeeRule = FeeRule.FeeVersusLvr, ArbitrageIntervalSeconds = 300 };
        var off = Pool(2000, 800, 400_000); // 80% base: a rebalance is due
        var value = 800 * 2000 + 400_000.0;
        // k = 300, little volatility: 1/k = 3,333 pips would gain (3333/3000)·e^(−300·0.000333) − 1 ≈ 0.5% of 400 quote a
        // day ≈ 2 quote, under twice the gas (90,000 gas at 20 gwei, ETH 3,000: 5.4 quote) → the pool's 3,000 pips are kept
        var calm = NoEstimates with { FeeIncomePerDay = 0.0002 * value };
        var kept = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 0.05), calm, settings));
        Assert.Equal(3000, kept.Target.FeePips);
        Assert.Contains(kept.Reasons, r => r.StartsWith("fee: kept at 3000 pips", StringComparison.Ordinal));
        // violent volatility: the arbitrage term pulls the fee well above 1/k
        var violent = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 6), calm, settings));
        Assert.True(violent.Target.FeePips > 4000, $"fee {violent.Target.FeePips} pips");
        Assert.InRange(violent.Target.FeePips, Policy.MinFeePips, Policy.MaxFeePips);
        // without an income estimate the model's fee is used, and said so
        var early = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000), NoEstimates, settings));
        Assert.Contains(early.Reasons, r => r.StartsWith("fee: the model's half-spread", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fee_rule_puts_income_earned_at_earlier_fees_at_the_pools_fee_now()
    {
        var settings = Settings with { FeeRule = FeeRule.FeeVersusLvr, ArbitrageIntervalSeconds = 300 };
        var off = Pool(2000, 800, 400_000); // 80% base, fee 3000 pips: a rebalance is due
        // 200 a day earned at 3000 pips and 300 at 6000 (before the fee came down): at 3000, with k = 300, the 6000-pip
        // volume is e^(300·0.003) = 2.46 times as large and pays half as much a unit: 200 + 300·0.5·e^0.9 = 568.9
        var paid = new Dictionary<int, double> { [3000] = 200, [6000] = 300 };
        var estimates = NoEstimates with { FeeIncomePerDay = 500, FeeIncomeByFeePips = paid };
        var plan = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 0.8), estimates, settings));
        var expected = 200 + 300 * 0.5 * Math.Exp(0.9);
        Assert.Equal(expected, FeeChoice.IncomeAtFee(paid, 3000, Settings.IntensityK), 9);
        Assert.Contains(plan.Reasons, r => r == $"fee income {Models.Formatting.Numbers.Fixed(expected)} quote a day at the pool's 3000 pips, from {Models.Formatting.Numbers.Fixed(500)} earned at 2 fees (3000, 6000 pips)");
        // the same income all at the pool's fee: nothing to put at it, no such line, the fee chosen from 500 a day
        var single = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 0.8), NoEstimates with { FeeIncomePerDay = 500, FeeIncomeByFeePips = new Dictionary<int, double> { [3000] = 500 } }, settings));
        Assert.DoesNotContain(single.Reasons, r => r.StartsWith("fee income ", StringComparison.Ordinal));
        var raw = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 0.8), NoEstimates with { FeeIncomePerDay = 500 }, settings));
        Assert.Equal(raw.Target.FeePips, single.Target.FeePips);
    }

    [Fact]
    public void The_fixed_fee_rule_keeps_the_configured_fee_whatever_the_volatility_and_moves_it_into_the_policy()
    {
        var settings = Settings with { FeeRule = FeeRule.Fixed, FixedFeePips = 3000 };
        var off = Pool(2000, 800, 400_000, feePips: 2000); // 80% base: a rebalance is due
        foreach (var vol in new[] { 0.05, 0.8, 6.0 })
        {
            var plan = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: vol), NoEstimates, settings));
            Assert.Equal(3000, plan.Target.FeePips);
            Assert.Contains(plan.Reasons, r => r.StartsWith("fee: the configured 3000 pips", StringComparison.Ordinal));
        }
        // the model's fee moves with volatility on the same pool (what the Fixed rule leaves alone)
        Assert.NotEqual(Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 0.05))).Target.FeePips,
            Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000, volAnnual: 6.0))).Target.FeePips);
        var cheap = Assert.IsType<RebalanceAction>(Decide(Inputs(off, 2000), NoEstimates, settings with { FixedFeePips = 100 })); // below the policy's 500
        Assert.Equal(Policy.MinFeePips, cheap.Target.FeePips);
        Assert.Contains(cheap.Reasons, r => r.Contains("moved into the policy's bounds", StringComparison.Ordinal));
    }

    [Fact]
    public void The_minimum_interval_holds_until_it_has_passed()
    {
        var off = Pool(2000, 800, 400_000, lastReposition: Now - 599); // 80% base: urgent
        Assert.Equal(HoldReason.TooSoon, HoldOf(Decide(Inputs(off, 2000))));
        Assert.IsType<RebalanceAction>(Decide(Inputs(off with { LastRepositionTime = Now - 600 }, 2000)));
    }

    [Fact]
    public void A_twap_past_the_deviation_holds_and_a_rebalance_in_flight_holds()
    {
        var off = Pool(2000, 800, 400_000);
        Assert.Equal(HoldReason.TwapDeviates, HoldOf(Decide(Inputs(off, 2100))));
        Assert.Equal(HoldReason.InFlight, HoldOf(Decide(Inputs(off, 2000), inFlight: true)));
    }

    [Fact]
    public void Without_a_volatility_feed_the_pools_own_estimate_is_needed()
    {
        var inputs = Inputs(Pool(2000, 800, 400_000), 2000) with { Volatility = null, Policy = Policy with { HasVolatilityFeed = false } };
        Assert.Equal(HoldReason.NoVolatility, HoldOf(Decide(inputs)));
        Assert.IsType<RebalanceAction>(Decide(inputs, NoEstimates with { EwmaVolatilityPerDay = 0.04 }));
    }

    [Fact]
    public void A_balanced_pool_is_inside_the_band()
    {
        var hold = Assert.IsType<HoldAction>(Decide(Inputs(Balanced, 2000)));
        Assert.True(hold.Reason is HoldReason.InsideBand or HoldReason.BenefitBelowGas, hold.ToString());
        Assert.True(hold.View!.Band > 0);
    }

    [Fact]
    public void Past_the_hard_limit_the_rebalance_is_urgent_and_names_its_trigger()
    {
        var plan = Assert.IsType<RebalanceAction>(Decide(Inputs(Pool(2000, 800, 400_000), 2000)));
        Assert.Equal(RebalanceKind.Urgent, plan.Kind);
        Assert.Equal(RebalanceTrigger.HardLimit, plan.Trigger);
        Assert.True(plan.Urgent);
        Assert.False(plan.GatedByBenefit);
        Assert.Equal("Rebalance (urgent)", plan.CountLabel);
        Assert.StartsWith("URGENT", plan.Reasons[0], StringComparison.Ordinal);
        // long base: the centre sits at or below the oracle (it invites buyers of base)
        Assert.True(plan.CentrePrice <= 2000, $"centre {plan.CentrePrice}");
    }

    [Fact]
    public void Outside_the_band_below_the_hard_limit_the_rebalance_is_normal_and_gated_by_the_benefit()
    {
        var settings = Settings with { BenefitToGasMargin = 0 };
        var plan = Assert.IsType<RebalanceAction>(Decide(Inputs(Pool(2000, 650, 700_000), 2000), settings: settings)); // 65% base
        Assert.Equal(RebalanceKind.Normal, plan.Kind);
        Assert.Equal(RebalanceTrigger.InventoryBand, plan.Trigger);
        Assert.True(plan.GatedByBenefit);
        Assert.False(plan.Urgent);
        var gated = Decide(Inputs(Pool(2000, 650, 700_000), 2000), settings: Settings with { BenefitToGasMargin = 1e12 });
        Assert.Equal(HoldReason.BenefitBelowGas, HoldOf(gated));
    }

    /// <summary>
    /// A ManagedPool's reposition moves no tokens: only the arbitrage through its skewed centre moves inventory, about
    /// depth × ln(1 + skew). On a concentrated range that is all of q; on a near-full range (shallow) a sliver, so the
    /// inventory risk a re-centre removes there is too small to pay its gas — it used to re-centre a full range on
    /// inventory it could not move, skewing the range's bounds each time. A v3 position's swap moves all of it.
    /// </summary>
    [Fact]
    public void The_band_counts_only_the_inventory_a_rebalance_can_move_so_a_full_range_is_not_re_centred_for_nothing()
    {
        var settings = Settings with { BenefitToGasMargin = 2 };
        var full = Inputs(Pool(2000, 520, 960_000, halfWidth: Models.Policy.VaultPolicyMath.FullRangeHalfWidth), 2000) with // 52% base
        {
            Policy = Policy with { MaxWidthBps = Models.Policy.VaultPolicyMath.UnboundedWidthBps },
        };
        var held = Assert.IsType<HoldAction>(Decide(full, settings: settings));
        Assert.Equal(HoldReason.BenefitBelowGas, held.Reason);
        Assert.Contains("a rebalance can move", held.Detail, StringComparison.Ordinal);

        var m = Decider.Measure(full, NoEstimates, Targets, settings, Context());
        var q = Math.Abs(m.Inventory);
        var movable = Decider.Movable(full, m, settings);
        Assert.InRange(movable, 1e-9, 0.05 * q); // a sliver of q: depth × ln(1 + 0.9 × 15 bps)
        // counted as if the re-centre reset all of q (as before), the same pool was re-centred
        Assert.Equal(RebalanceKind.Normal, Decider.Trigger(m, Targets, settings, Context(), movable: q).Kind);
        Assert.Null(Decider.Trigger(m, Targets, settings, Context(), movable).Kind);
        Assert.Equal(q, Decider.Movable(full with { RangeAtSpot = true }, m, settings)); // v3: the bounded swap moves it all
        var concentrated = Inputs(Pool(2000, 520, 960_000), 2000); // the same holdings on ±0.05: deep, the same skew moves most of q
        var mc = Decider.Measure(concentrated, NoEstimates, Targets, settings, Context());
        Assert.InRange(Decider.Movable(concentrated, mc, settings), 0.5 * Math.Abs(mc.Inventory), Math.Abs(mc.Inventory));
        Assert.True(Decider.Movable(concentrated, mc, settings) > 20 * movable);
    }

    [Fact]
    public void A_pool_already_at_the_target_holds()
    {
        var pool = Pool(2000, 800, 400_000);
        var plan = Assert.IsType<RebalanceAction>(Decide(Inputs(pool, 2000)));
        var repositioned = pool with
        {
            SqrtPriceX96 = plan.Target.SqrtPriceX96, SqrtPriceLowX96 = plan.ExpectedSqrtPriceLowX96, SqrtPriceHighX96 = plan.ExpectedSqrtPriceHighX96,
            Liquidity = plan.ExpectedLiquidity, FeePips = plan.Target.FeePips,
        };
        var inputs = Inputs(repositioned, 2000) with { TwapLogPrice = Inputs(pool, 2000).TwapLogPrice };
        Assert.Equal(HoldReason.AlreadyAtTarget, HoldOf(Decide(inputs)));
    }

    [Fact]
    public void The_defence_raises_the_fee_and_widens_then_holds_once_quoted_so()
    {
        var settings = Settings with { Defence = new DefenceSettings { Enabled = true } };
        var signal = new DefenceSignal(true, 0.95, 1.2, Now - 100, "VPIN 0.95", DefenceTrigger.Vpin);
        var estimates = NoEstimates with { Defence = signal };
        var normal = Assert.IsType<RebalanceAction>(Decide(Inputs(Pool(2000, 800, 400_000), 2000), settings: Settings));
        var defended = Assert.IsType<RebalanceAction>(Decide(Inputs(Balanced, 2000), estimates, settings));
        Assert.Equal(RebalanceKind.Defend, defended.Kind);
        Assert.Equal(RebalanceTrigger.Vpin, defended.Trigger);
        Assert.Equal("Defend (VPIN)", defended.CountLabel);
        Assert.True(defended.Target.FeePips >= normal.Target.FeePips, $"defensive fee {defended.Target.FeePips} vs normal {normal.Target.FeePips}");
        // the pool quoted at the defensive curve: hold, Defensive
        var quoted = Balanced with
        {
            SqrtPriceX96 = defended.Target.SqrtPriceX96, SqrtPriceLowX96 = defended.ExpectedSqrtPriceLowX96, SqrtPriceHighX96 = defended.ExpectedSqrtPriceHighX96,
            Liquidity = defended.ExpectedLiquidity, FeePips = defended.Target.FeePips,
        };
        var again = Decide(Inputs(quoted, 2000) with { TwapLogPrice = Inputs(Balanced, 2000).TwapLogPrice }, estimates, settings);
        Assert.Equal(HoldReason.Defensive, HoldOf(again));
        // the signal off: restore
        var calm = NoEstimates with { Defence = signal with { Active = false, Trigger = null } };
        var restore = Assert.IsType<RebalanceAction>(Decide(Inputs(quoted, 2000) with { TwapLogPrice = Inputs(Balanced, 2000).TwapLogPrice }, calm, settings));
        Assert.Equal(RebalanceKind.Restore, restore.Kind);
        Assert.False(restore.Urgent);
    }

    [Fact]
    public void The_defence_widens_within_the_policy_so_a_pool_already_at_the_widest_range_holds_once_its_fee_is_raised()
    {
        // the trade-off's width before any fee is seen is the widest allowed: the defence can only raise the fee
        var settings = Settings with { RangeWidth = RangeWidthRule.FeeVersusLvr, Defence = new DefenceSettings { Enabled = true } };
        var estimates = NoEstimates with { Defence = new DefenceSignal(true, 0.95, 1.2, Now - 100, "VPIN 0.95", DefenceTrigger.Vpin) };
        var defended = Assert.IsType<RebalanceAction>(Decide(Inputs(Balanced, 2000), estimates, settings));
        Assert.Equal(RebalanceKind.Defend, defended.Kind);
        Assert.True(VaultPolicyMath.WidthBps(defended.ExpectedSqrtPriceHighX96, defended.ExpectedSqrtPriceLowX96) <= Policy.MaxWidthBps);
        var quoted = Balanced with
        {
            SqrtPriceX96 = defended.Target.SqrtPriceX96, SqrtPriceLowX96 = defended.ExpectedSqrtPriceLowX96, SqrtPriceHighX96 = defended.ExpectedSqrtPriceHighX96,
            Liquidity = defended.ExpectedLiquidity, FeePips = defended.Target.FeePips,
        };
        // not a Defend again that the fit would find at target: the pool is quoted defensively
        Assert.Equal(HoldReason.Defensive, HoldOf(Decide(Inputs(quoted, 2000) with { TwapLogPrice = Inputs(Balanced, 2000).TwapLogPrice }, estimates, settings)));
    }

    /// <summary>Any inventory, price offset and volatility: a rebalance satisfies the bounds the vault checks (fee, width, skew against the oracle).</summary>
    [Fact]
    public void Every_rebalance_satisfies_the_vaults_policy()
    {
        var plans = 0;
        Gen.Select(Gen.Double[0.15, 0.85], Gen.Double[-0.004, 0.004], Gen.Double[0.1, 3], Gen.Double[0.005, 0.3])
            .Sample((share, offset, vol, width) =>
            {
                const double price = 2000;
                var value = 2_000_000.0;
                var pool = Pool(price, share * value / price, (1 - share) * value, width);
                var oracle = price * (1 + offset);
                var decision = Decide(Inputs(pool, oracle, volAnnual: vol));
                if (decision is not RebalanceAction plan) return;
                Assert.InRange(plan.Target.FeePips, Policy.MinFeePips, Policy.MaxFeePips);
                var widthBps = VaultPolicyMath.WidthBps(plan.ExpectedSqrtPriceHighX96, plan.ExpectedSqrtPriceLowX96);
                Assert.InRange(widthBps, Policy.MinWidthBps, Policy.MaxWidthBps);
                var priceX128 = VaultPolicyMath.PriceX128(new BigInteger(Math.Round(oracle * 1e8)), Policy.PriceScaleExp)!.Value;
                Assert.True(VaultPolicyMath.SkewBps(plan.Target.SqrtPriceX96, priceX128) <= Policy.MaxSkewBps);
                var shareBps = VaultPolicyMath.BaseShareBps(pool.Reserve0, pool.Reserve1, priceX128);
                var signed = VaultPolicyMath.SignedSkewBps(plan.Target.SqrtPriceX96, priceX128);
                Assert.True(VaultPolicyMath.SkewTowardInventoryOk(signed, shareBps, Policy.MinBaseShareBps, Policy.MaxBaseShareBps, Policy.MaxSkewBps),
                    $"skew {signed} bps at share {shareBps} is against the inventory or past its allowance");
                Assert.True(plan.ExpectedLiquidity > 0);
                Interlocked.Increment(ref plans);
            }, iter: 300, threads: 1);
        Assert.True(plans > 50, $"only {plans} of 300 cases rebalanced: the property tested too little");
    }

    [Fact]
    public void With_the_fee_versus_lvr_rule_the_widest_range_when_fees_cannot_pay_and_a_narrower_one_when_they_can()
    {
        var settings = Settings with { RangeWidth = RangeWidthRule.FeeVersusLvr, FeeElasticity = 1 }; // a pool whose fee share follows its depth
        var pool = Pool(2000, 800, 400_000); // urgent: a rebalance whatever the band
        var value = 800 * 2000 + 400_000.0;
        var poor = Assert.IsType<RebalanceAction>(Decide(Inputs(pool, 2000), NoEstimates with { FeeIncomePerDay = 0 }, settings));
        // the trade-off's most profitable width is the hedged pool's (HedgeRatio 1: the hedge takes the price risk away)
        var rich = Assert.IsType<RebalanceAction>(Decider.Decide(Inputs(pool, 2000), NoEstimates with { FeeIncomePerDay = 0.05 * value }, Targets with { HedgeRatio = 1 }, settings, Context()));
        // unhedged, the same fees buy the most per unit of risk at the widest range (docs/models.md, "What concentration can and cannot buy")
        var richUnhedged = Assert.IsType<RebalanceAction>(Decide(Inputs(pool, 2000), NoEstimates with { FeeIncomePerDay = 0.05 * value }, settings));
        double WidthBps(RebalanceAction a) => (double)VaultPolicyMath.WidthBps(a.ExpectedSqrtPriceHighX96, a.ExpectedSqrtPriceLowX96);
        var normal = Assert.IsType<RebalanceAction>(Decide(Inputs(pool, 2000), NoEstimates, Settings));
        // the widest range asked for: the pool's exact fit of ±ln(1 + max)/2 from these reserves, far wider than the σ rule's
        Assert.True(WidthBps(poor) > 5 * WidthBps(normal), $"poor fees: width {WidthBps(poor)} bps, the σ rule's {WidthBps(normal)}");
        Assert.True(WidthBps(rich) < WidthBps(poor) / 2, $"rich fees: width {WidthBps(rich)} bps against {WidthBps(poor)}");
        Assert.Equal(WidthBps(poor), WidthBps(richUnhedged));
        Assert.Contains(poor.Reasons, r => r.Contains("widest range", StringComparison.Ordinal));
        // without a fee estimate yet no fee income is assumed: the gate's widest range, said so
        var early = Assert.IsType<RebalanceAction>(Decide(Inputs(pool, 2000), NoEstimates, settings));
        Assert.Contains(early.Reasons, r => r.Contains("no fee income seen yet", StringComparison.Ordinal));
        Assert.Equal(WidthBps(poor), WidthBps(early));
    }

    [Fact]
    public void Inside_the_band_a_hedged_range_far_narrower_than_the_trade_off_wants_is_re_ranged_once_fees_are_seen_and_not_before()
    {
        var settings = Settings with { RangeWidth = RangeWidthRule.FeeVersusLvr }; // elasticity 0: the widest range pays best
        var hedged = Targets with { HedgeRatio = 1 };
        StrategyDecision DecideHedged(PoolInputs inputs, PoolEstimates estimates, BigInteger? gasWei = null) =>
            Decider.Decide(inputs, estimates, hedged, settings, new DecisionContext(Now, gasWei ?? 20_000_000_000, 90_000, 3000, false));
        var value = 500 * 2000 + 1_000_000.0;
        var narrow = Pool(2000, 500, 1_000_000, halfWidth: 0.02); // balanced: inside the band
        Assert.Equal(HoldReason.InsideBand, HoldOf(Decide(Inputs(narrow, 2000), NoEstimates, Settings)));
        // before a quarter day of swaps a hedged pool's band hold stands (no evidence of how far to concentrate)
        Assert.Equal(HoldReason.InsideBand, HoldOf(DecideHedged(Inputs(narrow, 2000), NoEstimates)));
        var seen = NoEstimates with { FeeIncomePerDay = 0.001 * value };
        var plan = Assert.IsType<RebalanceAction>(DecideHedged(Inputs(narrow, 2000), seen));
        Assert.Equal(RebalanceKind.Normal, plan.Kind);
        Assert.Equal(RebalanceTrigger.RangeWidth, plan.Trigger);
        Assert.StartsWith("RANGE:", plan.Reasons[0], StringComparison.Ordinal);
        var width = (double)VaultPolicyMath.WidthBps(plan.ExpectedSqrtPriceHighX96, plan.ExpectedSqrtPriceLowX96);
        Assert.True(width > 0.9 * Policy.MaxWidthBps, $"the re-range goes to the widest range the policy allows: {width} bps");
        Assert.Contains(plan.Reasons, r => r.StartsWith("target: ", StringComparison.Ordinal) && r.Contains($"(width {(long)width} bps)", StringComparison.Ordinal));
        // with the policy's width unbounded the widest is a full range, said in words, not as a 15-digit width
        var unbounded = Inputs(narrow, 2000) with { Policy = Policy with { MaxWidthBps = VaultPolicyMath.UnboundedWidthBps } };
        var full = Assert.IsType<RebalanceAction>(DecideHedged(unbounded, seen));
        Assert.Contains(full.Reasons, r => r.StartsWith("target: ", StringComparison.Ordinal) && r.Contains("(a full range: the price ×/÷ 100,000)", StringComparison.Ordinal));
        // at the trade-off's width already: nothing to gain, the band's hold
        var wide = Pool(2000, 500, 1_000_000, halfWidth: Decider.HalfWidthOfBps(Policy.MaxWidthBps));
        Assert.Equal(HoldReason.InsideBand, HoldOf(DecideHedged(Inputs(wide, 2000), seen)));
        // a little narrower than the widest: worth it at 20 gwei (≈ 480 quote a day of arbitrage loss saved against
        // 5.4 of gas), not at 20,000 gwei (gas 5,400, the margin 2×)
        var nearlyWide = Pool(2000, 500, 1_000_000, halfWidth: 0.6);
        Assert.Equal(RebalanceTrigger.RangeWidth, Assert.IsType<RebalanceAction>(DecideHedged(Inputs(nearlyWide, 2000), seen)).Trigger);
        Assert.Equal(HoldReason.InsideBand, HoldOf(DecideHedged(Inputs(nearlyWide, 2000), seen, 20_000_000_000_000)));
    }

    [Fact]
    public void An_unhedged_range_narrower_than_the_widest_is_widened_before_any_fee_is_seen_and_with_rich_fees()
    {
        var settings = Settings with { RangeWidth = RangeWidthRule.FeeVersusLvr, FeeElasticity = 1 };
        var value = 500 * 2000 + 1_000_000.0;
        var narrow = Pool(2000, 500, 1_000_000, halfWidth: 0.05); // balanced: inside the band
        // unhedged (HedgeRatio 0): the gate's widest range at once, the arbitrage loss of ±0.05 saved (≈ 12.7 quote a day per 1,000)
        var widened = Assert.IsType<RebalanceAction>(Decide(Inputs(narrow, 2000), NoEstimates, settings));
        Assert.Equal(RebalanceTrigger.RangeWidth, widened.Trigger);
        Assert.True((double)VaultPolicyMath.WidthBps(widened.ExpectedSqrtPriceHighX96, widened.ExpectedSqrtPriceLowX96) > 0.9 * Policy.MaxWidthBps);
        // fees that pay for concentrating (3% a day at ±0.05) from captive flow (elasticity 0: the same fees at any depth):
        // unhedged the widest range earns the most per unit of risk, by far
        var rich = NoEstimates with { FeeIncomePerDay = 0.03 * value };
        var unhedged = Assert.IsType<RebalanceAction>(Decide(Inputs(narrow, 2000), rich, settings with { FeeElasticity = 0 }));
        // with fees in proportion to depth (elasticity 1) every width earns the same per unit of risk: no gain, the band's hold
        Assert.Equal(HoldReason.InsideBand, HoldOf(Decide(Inputs(narrow, 2000), rich, settings)));
        Assert.Equal(RebalanceTrigger.RangeWidth, unhedged.Trigger);
        Assert.Contains("per unit of risk", string.Join("; ", unhedged.Reasons), StringComparison.Ordinal);
        Assert.Equal("HedgeRatio", Assert.Throws<ArgumentOutOfRangeException>(() => Decider.Decide(Inputs(narrow, 2000), rich, Targets with { HedgeRatio = 1.5 }, settings, Context())).ParamName);
    }
}
