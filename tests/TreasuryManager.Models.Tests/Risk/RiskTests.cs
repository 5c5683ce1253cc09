using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Reproduction;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Models.Tests.Risk;

public class RiskTests
{
    [Fact]
    public void Lvr_formulas_match_hand_values()
    {
        // σ = 5%/day, full range: σ²/8 = 0.0025/8 = 0.0003125 = 3.125 bp/day (docs/models.md, "Loss-versus-rebalancing").
        Assert.Equal(0.0003125, Lvr.FullRangeFraction(0.05), 15);
        Assert.Equal(0.3125, Lvr.FullRange(0.05, 1000), 12);
        // σ = 0.2, P = 100, [81, 121]: 2√P − P/√pb − √pa = 20 − 100/11 − 9 = 1.9090909…;
        // (0.04/8)·20/1.9090909 = 0.005·10.476190476 = 0.05238095238095238.
        Assert.Equal(0.05238095238095238, Lvr.RangeFraction(0.2, 100, 81, 121), 12);
        Assert.Equal(0, Lvr.RangeFraction(0.2, 130, 81, 121));
        // Instantaneous (σ²/2)P²|x′|, x′ = −L/(2P^1.5) = −0.5 for L = 1000, P = 100: 0.02·10000·0.5 = 100,
        // which over V = L(2√P − P/√pb − √pa) = 1909.0909 is 0.052381 — the range formula again.
        Assert.Equal(100, Lvr.Instantaneous(0.2, 100, -0.5), 10);
        Assert.Equal(Lvr.RangeFraction(0.2, 100, 81, 121), 100 / new ConcentratedPosition(1000, 81, 121).Value(100), 12);
    }

    [Fact]
    public void Position_delta_and_gamma()
    {
        // L = 1000 on [81, 121]. P = 100: x = 1000(1/10 − 1/11) = 9.090909…, γ = −1000/(2·100^1.5) = −0.5.
        Assert.Equal(1000.0 / 110, PositionGreeks.Delta(1000, 100, 81, 121), 12);
        Assert.Equal(-0.5, PositionGreeks.Gamma(1000, 100, 81, 121), 12);
        // Below the range all base: 1000(1/9 − 1/11) = 20.2020…; above none. Gamma 0 outside.
        Assert.Equal(1000.0 * (1.0 / 9 - 1.0 / 11), PositionGreeks.Delta(1000, 64, 81, 121), 12);
        Assert.Equal(0, PositionGreeks.Delta(1000, 144, 81, 121), 12);
        Assert.Equal(0, PositionGreeks.Gamma(1000, 64, 81, 121));
        // Gamma is the derivative of delta (central difference).
        var h = 1e-4;
        Assert.Equal((PositionGreeks.Delta(1000, 100 + h, 81, 121) - PositionGreeks.Delta(1000, 100 - h, 81, 121)) / (2 * h),
            PositionGreeks.Gamma(1000, 100, 81, 121), 7);
    }

    [Fact]
    public void Constant_product_pool_arbitraged_every_step_loses_sigma_squared_over_8()
    {
        // x·y = K, price P following a driftless GBM; an arbitrageur moves the pool to each new price.
        // Loss per step = (x·P′ + y) − V(P′): what the pool's old holdings would be worth minus what it holds.
        const double sigma = 1.0, dt = 1e-4;
        const int paths = 200, steps = 1000;
        var k = 1e6;
        double lossFraction = 0;
        for (var p = 0; p < paths; p++)
        {
            var rng = new Xoshiro256(Xoshiro256.Derive(7, (ulong)p));
            var price = 100.0;
            for (var i = 0; i < steps; i++)
            {
                var x = Math.Sqrt(k / price);
                var y = Math.Sqrt(k * price);
                var value = x * price + y;
                var next = price * Math.Exp(sigma * Math.Sqrt(dt) * rng.NextGaussian() - 0.5 * sigma * sigma * dt);
                var after = 2 * Math.Sqrt(k * next);
                lossFraction += (x * next + y - after) / value;
                price = next;
            }
        }

        var perUnitTime = lossFraction / (paths * steps * dt);
        Assert.InRange(perUnitTime, 0.95 * Lvr.FullRangeFraction(sigma), 1.05 * Lvr.FullRangeFraction(sigma));
    }

    [Fact]
    public void Range_position_arbitraged_every_step_loses_the_range_formula()
    {
        // L on [81, 121] at P = 100, recentred each step (i.i.d. one-step moves from P).
        const double sigma = 0.2, dt = 1e-4;
        const int samples = 200_000;
        var position = new ConcentratedPosition(1000, 81, 121);
        var rng = new Xoshiro256(11);
        const double price = 100;
        var x = position.BaseAmount(price);
        var y = position.QuoteAmount(price);
        var value = position.Value(price);
        double loss = 0;
        for (var i = 0; i < samples; i++)
        {
            var next = price * Math.Exp(sigma * Math.Sqrt(dt) * rng.NextGaussian() - 0.5 * sigma * sigma * dt);
            loss += (x * next + y - position.Value(next)) / value;
        }

        var perUnitTime = loss / (samples * dt);
        var expected = Lvr.RangeFraction(sigma, price, 81, 121);
        Assert.InRange(perUnitTime, 0.95 * expected, 1.05 * expected);
        // And it is ten times the full-range rate here: concentration multiplies LVR.
        Assert.True(perUnitTime > 9 * Lvr.FullRangeFraction(sigma));
    }

    [Fact]
    public void Gas_cost_and_band_width_by_hand()
    {
        // 150,000 gas × 20 gwei (2e10 wei) × 3000 quote/ETH = 3e15 wei = 0.003 ETH = 9 quote.
        Assert.Equal(9.0, Band.GasCost(150_000, 2e10, 3000), 12);
        // c = 9, η = 10, γ = 0.001, σ = 30: q̄ = (12·9·100/(0.001·900))^(1/4) = 12000^(1/4) = 10.466351393921055.
        Assert.Equal(10.466351393921055, Band.Width(9, 10, 0.001, 30), 12);
        Assert.Equal(10.466351393921055, Band.RebalanceWidth(150_000, 2e10, 3000, 10, 0.001, 30), 12);
        Assert.Equal(10.466351393921055, Band.HedgeWidth(9, 10, 0.001, 30), 12);
        // At the optimum the two cost terms are equal: cη²/q̄² = aq̄²/6 = 8.2158…; total 16.4317…
        var q = 10.466351393921055;
        Assert.Equal(2 * 9 * 100 / (q * q), Band.AverageCost(q, 9, 10, 0.001, 30), 10);
        // Dearer gas widens the band; more volatility narrows it.
        Assert.True(Band.Width(18, 10, 0.001, 30) > q);
        Assert.True(Band.Width(9, 10, 0.001, 60) < q);
    }

    [Fact]
    public void Band_optimum_beats_half_and_double_in_simulation()
    {
        const double c = 9, eta = 10, gamma = 0.001, sigma = 30;
        var a = gamma * sigma * sigma / 2;
        var qBar = Band.Width(c, eta, gamma, sigma);

        double Simulate(double band)
        {
            const double dt = 1e-3, horizon = 2000;
            var rng = new Xoshiro256(99);
            double q = 0, cost = 0;
            var step = eta * Math.Sqrt(dt);
            var n = (int)(horizon / dt);
            for (var i = 0; i < n; i++)
            {
                q += step * rng.NextGaussian();
                cost += a * q * q * dt;
                if (Math.Abs(q) >= band)
                {
                    cost += c;
                    q = 0;
                }
            }

            return cost / horizon;
        }

        var atOptimum = Simulate(qBar);
        var half = Simulate(0.5 * qBar);
        var twice = Simulate(2 * qBar);
        Assert.True(atOptimum < half, $"{atOptimum} vs half {half}");
        Assert.True(atOptimum < twice, $"{atOptimum} vs twice {twice}");
        // And the formula's average cost (16.43) holds within 10% (discrete monitoring overshoots a little).
        var formula = Band.AverageCost(qBar, c, eta, gamma, sigma);
        Assert.InRange(atOptimum, 0.9 * formula, 1.1 * formula);
    }
}
