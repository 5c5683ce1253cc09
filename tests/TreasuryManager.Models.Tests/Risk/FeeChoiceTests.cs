using CsCheck;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Models.Tests.Risk;

/// <summary>The fee from the fee-versus-arbitrage trade-off: 1/k without volatility, up with volatility, within bounds.</summary>
public sealed class FeeChoiceTests
{
    [Fact]
    public void The_spread_of_a_fee_is_minus_two_log_one_minus_the_fee_and_the_arbitrage_ratio_is_nezlobin_and_tassys()
    {
        Assert.Equal(-2 * Math.Log(0.997), FeeChoice.Spread(0.003), 15);
        Assert.Equal(0, FeeChoice.Spread(0));
        // γ/σ_b = 1 → 1/(1 + 0.8582)
        var fee = 1 - Math.Exp(-0.001 / 2); // spread exactly 0.001
        Assert.Equal(1 / 1.8582, FeeChoice.ArbitrageLossRatio(fee, 0.001), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Spread(1));
    }

    [Fact]
    public void Without_volatility_to_speak_of_the_fee_maximises_the_noise_revenue_at_one_over_k()
    {
        // k = 250 → 1/k = 4,000 pips; σ tiny, so the arbitrage term is negligible
        var choice = FeeChoice.Choose(3000, feeYieldPerDay: 0.002, intensityK: 250, sigmaPerDay: 1e-6, concentration: 2, arbitrageIntervalSeconds: 12, 100, 50_000);
        Assert.InRange(choice.FeePips, 3990, 4010);
    }

    [Fact]
    public void The_fee_steps_up_when_volatility_rises_and_stays_within_the_bounds() =>
        Gen.Select(Gen.Double[0.001, 0.2], Gen.Double[1.05, 3], Gen.Double[50, 2000], Gen.Int[1000, 5000])
            .Sample((sigma, factor, k, currentFee) =>
            {
                var low = FeeChoice.Choose(currentFee, 0.003, k, sigma, 2.2, 300, 100, 100_000);
                var high = FeeChoice.Choose(currentFee, 0.003, k, sigma * factor, 2.2, 300, 100, 100_000);
                Assert.True(high.FeePips >= low.FeePips - 1, $"σ {sigma} → {sigma * factor}: fee {low.FeePips} → {high.FeePips}");
                Assert.InRange(low.FeePips, 100, 100_000);
                var clamped = FeeChoice.Choose(currentFee, 0.003, k, sigma * factor, 2.2, 300, 500, 600);
                Assert.InRange(clamped.FeePips, 500, 600);
            });

    [Fact]
    public void The_chosen_fee_is_at_least_as_good_as_any_fee_on_a_fine_grid() =>
        Gen.Select(Gen.Double[0.005, 0.3], Gen.Double[50, 2000], Gen.Double[1, 40])
            .Sample((sigma, k, c) =>
            {
                var choice = FeeChoice.Choose(3000, 0.004, k, sigma, c, 12, 100, 100_000);
                var sigmaBlock = sigma * Math.Sqrt(12 / 86_400.0);
                for (var pips = 100; pips <= 100_000; pips += 97)
                {
                    var j = FeeChoice.NetYield(pips / 1e6, 0.003, 0.004, k, sigma, c, sigmaBlock);
                    Assert.True(choice.NetYieldPerDay >= j - 1e-9 * Math.Abs(j) - 1e-15, $"{pips} pips gives {j} > chosen {choice.FeePips}: {choice.NetYieldPerDay}");
                }
            }, iter: 40);

    [Fact]
    public void Equal_bounds_give_that_fee_and_the_reported_yield_is_the_objective_at_the_chosen_fee()
    {
        Assert.Equal(2500, FeeChoice.Choose(3000, 0.003, 300, 0.05, 2, 12, 2500, 2500).FeePips);
        var choice = FeeChoice.Choose(3000, 0.003, 300, 0.05, 2.2, 300, 100, 100_000);
        var sigmaBlock = 0.05 * Math.Sqrt(300 / 86_400.0);
        Assert.Equal(FeeChoice.NetYield(choice.FeePips / 1e6, 0.003, 0.003, 300, 0.05, 2.2, sigmaBlock), choice.NetYieldPerDay, 1e-6 * Math.Abs(choice.NetYieldPerDay)); // J at the fee before its rounding to whole pips
        Assert.Contains($"fee {choice.FeePips} pips", choice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_arbitrage_term_is_the_ranges_lvr_cut_by_nezlobin_and_tassys_ratio()
    {
        // J(f) = y(f) − σ²/8·c·ratio(f); at f = f₀ the noise term is y₀ exactly
        var sigmaBlock = 0.001;
        var j = FeeChoice.NetYield(0.003, 0.003, 0.002, 300, 0.04, 3, sigmaBlock);
        Assert.Equal(0.002 - 0.04 * 0.04 / 8 * 3 * FeeChoice.ArbitrageLossRatio(0.003, sigmaBlock), j, 15);
        // the noise term scales by (f/f₀)·e^(−k(f − f₀))
        var noiseOnly = FeeChoice.NetYield(0.006, 0.003, 0.002, 300, 1e-12, 3, 1);
        Assert.Equal(0.002 * 2 * Math.Exp(-300 * 0.003), noiseOnly, 12);
    }

    [Fact]
    public void Bad_inputs_name_the_parameter()
    {
        Assert.Equal("minFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0.02, 2, 12, 0, 10_000)).ParamName);
        Assert.Equal("maxFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0.02, 2, 12, 100, 1_000_000)).ParamName);
        Assert.Equal(999_999, FeeChoice.Choose(3000, 0.01, 300, 0.02, 2, 12, 999_999, 999_999).FeePips);
        Assert.Equal("intensityK", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 0, 0.02, 2, 12, 100, 10_000)).ParamName);
        Assert.Equal("sigmaPerDay", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0, 2, 12, 100, 10_000)).ParamName);
        Assert.Equal("arbitrageIntervalSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0.02, 2, 0, 100, 10_000)).ParamName);
        Assert.Equal(1000, FeeChoice.Choose(3000, 0.01, 300, 0.02, 1, 12, 1000, 1000).FeePips); // concentration 1 (full range) is allowed
        Assert.Equal("fee", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Spread(-0.001)).ParamName);
        Assert.Equal("sigmaPerBlock", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.ArbitrageLossRatio(0.003, 0)).ParamName);
        Assert.Equal("currentFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(0, 0.01, 300, 0.02, 2, 12, 100, 10_000)).ParamName);
        Assert.Equal("concentration", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0.02, 0.5, 12, 100, 10_000)).ParamName);
        Assert.Equal("maxFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0.01, 300, 0.02, 2, 12, 100, 50)).ParamName);
        Assert.Equal("feeYieldPerDay", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.Choose(3000, 0, 300, 0.02, 2, 12, 100, 10_000)).ParamName);
    }

    [Fact]
    public void Income_earned_at_other_fees_is_put_at_the_current_fee_by_the_intensity_model()
    {
        // 10 a day earned at 3000 pips and 4 at 5000, now at 3000 with k = 300: the 5000-pip volume would have been
        // e^(300·0.002) = 1.822 times as large at 3000 and paid 3/5 as much a unit: 10 + 4·0.6·1.822119 = 14.373085
        var paid = new Dictionary<int, double> { [3000] = 10, [5000] = 4 };
        Assert.Equal(10 + 4 * 0.6 * Math.Exp(0.6), FeeChoice.IncomeAtFee(paid, 3000, 300), 12);
        Assert.Equal(14.373085, FeeChoice.IncomeAtFee(paid, 3000, 300), 6);
        // at 5000 the 3000-pip income scales the other way: 4 + 10·(5/3)·e^(−0.6)
        Assert.Equal(4 + 10 * 5.0 / 3 * Math.Exp(-0.6), FeeChoice.IncomeAtFee(paid, 5000, 300), 12);
        // one fee, the current one: that income, to the bit (the default fixed fee's estimate is unchanged)
        Assert.Equal(0.1 + 0.2, FeeChoice.IncomeAtFee(new Dictionary<int, double> { [3000] = 0.1 + 0.2 }, 3000, 300));
        // without decay in k the volume does not move, only the fee a unit pays
        Assert.Equal(10 + 4 * 0.6, FeeChoice.IncomeAtFee(paid, 3000, 0), 12);
        Assert.Equal(0, FeeChoice.IncomeAtFee(new Dictionary<int, double>(), 3000, 300));
    }

    [Fact]
    public void Income_at_a_fee_refuses_bad_inputs_naming_them()
    {
        var paid = new Dictionary<int, double> { [3000] = 10 };
        Assert.Equal("currentFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.IncomeAtFee(paid, 0, 300)).ParamName);
        Assert.Equal("intensityK", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.IncomeAtFee(paid, 3000, -1)).ParamName);
        Assert.Equal("incomeByFeePips", Assert.Throws<ArgumentOutOfRangeException>(() => FeeChoice.IncomeAtFee(new Dictionary<int, double> { [0] = 1 }, 3000, 300)).ParamName);
        Assert.Throws<ArgumentNullException>(() => FeeChoice.IncomeAtFee(null!, 3000, 300));
    }
}
