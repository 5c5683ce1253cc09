using TreasuryManager.Models.Estimators;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Models.Tests.Estimators;

public class EstimatorTests
{
    [Fact]
    public void Ewma_blends_squared_returns_per_unit_time()
    {
        // Prices 100 (t=0), 101 (t=1), 103.02 (t=2), τ = 1:
        // r1 = ln 1.01, r1²/1 = 9.900908408750885e-05 seeds the average;
        // r2 = ln 1.02, r2²/1 = 3.921440478314025e-04, w = 1 − e^(−1) = 0.6321205588;
        // var = 9.900908408750885e-05 + w·(3.921440478314025e-04 − 9.900908408750885e-05) = 2.843057211814879e-04.
        var e = new EwmaVolatility(smoothingTime: 1, minObservations: 2);
        e.Update(0, 100);
        e.Update(1, 101);
        Assert.False(e.IsReady);
        Assert.Null(e.Volatility);
        e.Update(2, 103.02);
        Assert.True(e.IsReady);
        Assert.Equal(2.843057211814879e-04, e.VarianceRate!.Value, 15);
        Assert.Equal(Math.Sqrt(2.843057211814879e-04 * 365), e.VolatilityOver(365)!.Value, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.Update(2, 100));
    }

    [Fact]
    public void Ewma_of_a_constant_return_rate_is_that_rate()
    {
        // |r| = ln 1.01 every 2 time units ⇒ variance rate (ln 1.01)²/2 = 4.950454204375443e-05 whatever the weights.
        var e = new EwmaVolatility(10, 3);
        for (var i = 0; i < 10; i++) e.Update(2 * i, i % 2 == 0 ? 100 : 101);
        Assert.Equal(4.950454204375443e-05, e.VarianceRate!.Value, 15);
    }

    [Fact]
    public void Realised_variance_from_cumulative_observations()
    {
        // Window 15, min span 15. (0, 0, 0), (10, 46.0517, 0.001): span 10, not ready.
        // (20, 92.1034, 0.0025): span 20 ⇒ var = 0.0025/20 = 1.25e-4, mean ln P = 92.1034/20 = 4.60517.
        // (40, 184.2068, 0.0065): observations are dropped while the second-oldest is at least a window
        // (15) old: t = 0 goes (t = 10 is 30 old), t = 10 goes (t = 20 is 20 old), leaving (20, …), (40, …):
        // var = (0.0065 − 0.0025)/20 = 2e-4.
        var rv = new RealisedVariance(window: 15, minSpan: 15);
        rv.Add(new PoolObservation(0, 0, 0));
        rv.Add(new PoolObservation(10, 46.0517, 0.001));
        Assert.False(rv.IsReady);
        Assert.Null(rv.VarianceRate);
        rv.Add(new PoolObservation(20, 92.1034, 0.0025));
        Assert.Equal(1.25e-4, rv.VarianceRate!.Value, 15);
        Assert.Equal(4.60517, rv.MeanLogPrice!.Value, 12);
        rv.Add(new PoolObservation(40, 184.2068, 0.0065));
        Assert.Equal(2e-4, rv.VarianceRate!.Value, 15);
        Assert.Equal(20, rv.Span);
        Assert.Throws<ArgumentOutOfRangeException>(() => rv.Add(new PoolObservation(50, 200, 0.001)));
    }

    [Fact]
    public void Intensity_mle_two_distances_closed_form()
    {
        // Exposure 10 at δ = 0 with 100 fills and 10 at δ = 1 with 25 fills: the MLE matches each rate,
        // A·e^0 = 100/10 = 10, A·e^(−k) = 25/10 ⇒ k = ln 4 = 1.3862943611198906, A = 10.
        var est = new IntensityEstimator(0.01, minFills: 100);
        est.AddExposure(0, 10);
        est.AddExposure(1, 10);
        est.AddFill(0, 100);
        Assert.False(est.IsReady);
        Assert.Null(est.Fit());
        est.AddFill(1, 25);
        var fit = est.Fit()!.Value;
        Assert.Equal(1.3862943611198906, fit.K, 9);
        Assert.Equal(10, fit.A, 8);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Intensity_mle_recovers_known_parameters(ulong seed)
    {
        // Poisson arrivals of rate 140·e^(−1.5δ) at δ = 0.1, 0.2, …, 2.0, each quoted for 5 time units.
        const double a = 140, k = 1.5;
        var rng = new Xoshiro256(seed);
        var est = new IntensityEstimator(0.001, minFills: 200);
        for (var j = 1; j <= 20; j++)
        {
            var delta = 0.1 * j;
            var rate = a * Math.Exp(-k * delta);
            const double duration = 5;
            est.AddExposure(delta, duration);
            // Exponential inter-arrival times.
            var t = -Math.Log(1 - rng.NextDouble()) / rate;
            while (t < duration)
            {
                est.AddFill(delta);
                t += -Math.Log(1 - rng.NextDouble()) / rate;
            }
        }

        var fit = est.Fit()!.Value;
        Assert.InRange(fit.K, 0.9 * k, 1.1 * k);
        Assert.InRange(fit.A, 0.9 * a, 1.1 * a);
    }

    [Fact]
    public void Markouts_are_size_weighted_from_the_traders_side()
    {
        // Horizon 5. Buy 2 at 100 (t = 0), sell 1 at 100 (t = 1).
        // t = 5, P = 101: first matures, m = +1·(101 − 100)/100 = 0.01, weight 2.
        // t = 6, P = 100.5: second, m = −1·(100.5 − 100)/100 = −0.005, weight 1.
        // Σ|size|·m/Σ|size| = (0.02 − 0.005)/3 = 0.005.
        var m = new MarkoutToxicity(horizon: 5, window: 10, minTrades: 2);
        m.AddTrade(0, 100, 2);
        m.AddTrade(1, 100, -1);
        m.OnPrice(4.9, 120);
        Assert.Equal(0, m.Matured);
        m.OnPrice(5, 101);
        Assert.False(m.IsReady);
        Assert.Null(m.Markout);
        m.OnPrice(6, 100.5);
        Assert.Equal(0.005, m.Markout!.Value, 15);
    }

    [Fact]
    public void Markout_window_forgets_old_trades()
    {
        var m = new MarkoutToxicity(horizon: 1, window: 2, minTrades: 1);
        m.AddTrade(0, 100, 1);
        m.OnPrice(1, 110); // +0.1
        m.AddTrade(2, 100, 1);
        m.OnPrice(3, 100); // 0
        m.AddTrade(4, 100, 1);
        m.OnPrice(5, 99); // −0.01; the +0.1 leaves the window
        Assert.Equal(-0.005, m.Markout!.Value, 15);
    }

    [Fact]
    public void Vpin_over_volume_buckets()
    {
        // Buckets of 10, n = 2. +6, −4 ⇒ bucket 1 (6 buy, 4 sell): |6 − 4| = 2.
        // +15 ⇒ bucket 2 all buy: 10; 5 carried into bucket 3. VPIN = (2 + 10)/(2·10) = 0.6.
        // −5 ⇒ bucket 3 (5, 5): 0; last two: (10 + 0)/20 = 0.5.
        var v = new Vpin(bucketVolume: 10, buckets: 2);
        v.AddTrade(6);
        v.AddTrade(-4);
        Assert.False(v.IsReady);
        Assert.Null(v.Value);
        v.AddTrade(15);
        Assert.Equal(0.6, v.Value!.Value, 12);
        v.AddTrade(-5);
        Assert.Equal(0.5, v.Value!.Value, 12);
    }
}
