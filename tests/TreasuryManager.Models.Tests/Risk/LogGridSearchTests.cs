using TreasuryManager.Models.Risk;

namespace TreasuryManager.Models.Tests.Risk;

/// <summary>The one maximiser of the width and fee rules: the grid, the refinement, the ties and a degenerate interval.</summary>
public sealed class LogGridSearchTests
{
    [Fact]
    public void A_smooth_peak_between_grid_points_is_found_to_the_refinements_precision()
    {
        // −(ln x − ln 0.0123)² peaks at 0.0123, between the points of an 8-point grid over [0.001, 1]
        var (x, v) = LogGridSearch.Maximise(x => -Math.Pow(Math.Log(x / 0.0123), 2), 0.001, 1, 8, preferred: 1);
        Assert.Equal(0.0123, x, 1e-9);
        Assert.Equal(0, v, 1e-12);
    }

    [Fact]
    public void A_peak_at_either_end_is_kept_at_that_end()
    {
        Assert.Equal(1, LogGridSearch.Maximise(x => x, 0.01, 1, 16, preferred: 0.01).Argument, 12);
        Assert.Equal(0.01, LogGridSearch.Maximise(x => -x, 0.01, 1, 16, preferred: 1).Argument, 12);
    }

    [Fact]
    public void On_a_flat_objective_the_preferred_point_wins_the_tie()
    {
        Assert.Equal(0.5, LogGridSearch.Maximise(_ => 3, 0.01, 1, 16, preferred: 0.5).Argument);
        Assert.Equal(3, LogGridSearch.Maximise(_ => 3, 0.01, 1, 16, preferred: 0.5).Value);
    }

    [Fact]
    public void A_degenerate_interval_returns_its_one_point_unless_the_preferred_is_better()
    {
        Assert.Equal((0.2, 0.2), LogGridSearch.Maximise(x => x, 0.2, 0.2, 16, preferred: 0.1));
        Assert.Equal((0.3, 0.3), LogGridSearch.Maximise(x => x, 0.2, 0.2, 16, preferred: 0.3));
    }

    [Fact]
    public void The_result_is_never_worse_than_any_grid_point_nor_outside_the_interval()
    {
        var rng = new Random(7);
        for (var n = 0; n < 200; n++)
        {
            var (a, b, c) = (rng.NextDouble() * 4 - 2, rng.NextDouble() * 3, rng.NextDouble());
            double F(double x) => a * Math.Log(x) - b * Math.Log(x) * Math.Log(x) + c * Math.Sin(3 * Math.Log(x));
            var (x, v) = LogGridSearch.Maximise(F, 0.001, 10, 32, preferred: 10);
            Assert.InRange(x, 0.001, 10);
            Assert.Equal(F(x), v, 12);
            var ratio = Math.Pow(10 / 0.001, 1.0 / 31);
            for (var i = 0; i < 32; i++) Assert.True(v >= F(Math.Min(10, 0.001 * Math.Pow(ratio, i))) - 1e-12);
        }
    }
}
