using TreasuryManager.Models.Estimators;

namespace TreasuryManager.Models.Tests.Estimators;

public class VarianceRatioTests
{
    private static double[] Prices(IEnumerable<double> logs) => logs.Select(Math.Exp).ToArray();

    [Fact]
    public void A_straight_line_in_log_price_has_the_ratio_of_its_horizon()
    {
        // ln P_t = 0.01·t: every q-step move is 0.01·q, so VR(q) = (0.01q)²/(q·0.01²) = q
        var prices = Prices(Enumerable.Range(0, 200).Select(t => 0.01 * t));
        Assert.Equal(1, VarianceRatio.Of(prices, 1), 12);
        Assert.Equal(24, VarianceRatio.Of(prices, 24), 9);
    }

    [Fact]
    public void A_price_that_alternates_has_no_two_step_variance()
    {
        // 1, e^0.1, 1, e^0.1, …: every two-step move is 0
        var prices = Prices(Enumerable.Range(0, 101).Select(t => t % 2 == 0 ? 0.0 : 0.1));
        Assert.Equal(0, VarianceRatio.Of(prices, 2), 12);
    }

    [Fact]
    public void A_random_walk_is_within_three_standard_errors_of_one()
    {
        var rng = new Random(7);
        foreach (var q in new[] { 24, 168 })
        {
            var log = 0.0;
            var logs = new List<double> { 0 };
            for (var t = 0; t < 6_000; t++)
            {
                log += 0.01 * Gaussian(rng);
                logs.Add(log);
            }
            var vr = VarianceRatio.Of(Prices(logs), q);
            Assert.InRange(vr, 1 - 3 * VarianceRatio.NullStandardError(6_000, q), 1 + 3 * VarianceRatio.NullStandardError(6_000, q));
        }
    }

    [Fact]
    public void A_mean_reverting_price_matches_the_ar1_formula()
    {
        // stationary AR(1) ln P_{t+1} = φ·ln P_t + ε: E[(x_{t+q} − x_t)²] = 2s²(1 − φ^q), so VR(q) = (1 − φ^q)/(q(1 − φ))
        const double phi = 0.98;
        var rng = new Random(11);
        var x = 0.0;
        var logs = new List<double>();
        for (var t = 0; t < 400_000; t++)
        {
            x = phi * x + 0.01 * Gaussian(rng);
            logs.Add(x);
        }
        foreach (var q in new[] { 10, 50 })
        {
            var expected = (1 - Math.Pow(phi, q)) / (q * (1 - phi));
            Assert.Equal(expected, VarianceRatio.Of(Prices(logs), q), 1e-2 * 3);
            Assert.True(VarianceRatio.Of(Prices(logs), q) < 1);
        }
    }

    [Fact]
    public void The_standard_error_is_lo_and_mackinlays()
    {
        // √(2·(2·168 − 1)·167 / (3·168·5,800)) = 0.1954…
        Assert.Equal(Math.Sqrt(2.0 * 335 * 167 / (3.0 * 168 * 5_800)), VarianceRatio.NullStandardError(5_800, 168), 12);
        Assert.Equal(0, VarianceRatio.NullStandardError(100, 1));
    }

    [Fact]
    public void Bad_series_are_refused_naming_the_input()
    {
        Assert.Equal("horizon", Assert.Throws<ArgumentOutOfRangeException>(() => VarianceRatio.Of([1.0, 2.0, 3.0], 0)).ParamName);
        Assert.Equal("prices", Assert.Throws<ArgumentOutOfRangeException>(() => VarianceRatio.Of([1.0, 2.0, 3.0], 2)).ParamName);
        Assert.Equal("prices", Assert.Throws<ArgumentOutOfRangeException>(() => VarianceRatio.Of([1.0, -2.0, 3.0, 4.0], 1)).ParamName);
        Assert.Equal("prices", Assert.Throws<ArgumentOutOfRangeException>(() => VarianceRatio.Of([2.0, 2.0, 2.0, 2.0], 1)).ParamName);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
