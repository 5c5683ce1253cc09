using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The one place a setting's range is put in words: an end at a numeric type's extreme is no bound, so the
/// rule never prints 9.223372036854776E+18 or 1.7976931348623157E+308.</summary>
public sealed class SettingRulesTests
{
    [Theory]
    [InlineData(1, long.MaxValue, false, "must be at least 1")]
    [InlineData(1, int.MaxValue, false, "must be at least 1")]
    [InlineData(0, double.MaxValue, false, "must be at least 0")]
    [InlineData(0, double.PositiveInfinity, false, "must be at least 0")]
    [InlineData(0, double.MaxValue, true, "must be greater than 0")]
    [InlineData(0, 600, true, "must lie in (0, 600]")]
    [InlineData(21_000, 30_000_000, false, "must lie in [21000, 30000000]")]
    [InlineData(double.MinValue, 10, false, "must be at most 10")]
    [InlineData(long.MinValue, long.MaxValue, false, "must be a finite number")]
    public void A_range_is_said_without_a_types_extreme(double min, double max, bool minExclusive, string rule) =>
        Assert.Equal(rule, BoundsAttribute.Range(min, max, minExclusive));

    [Fact]
    public void A_value_that_is_not_finite_is_told_the_number_must_be_finite()
    {
        Assert.Equal("must be a finite number at least 1", BoundsAttribute.Range(1, double.MaxValue, notFinite: true));
        Assert.Equal("must be a finite number in [0, 1]", BoundsAttribute.Range(0, 1, notFinite: true));
        Assert.Equal("Infinity must be a finite positive number", new PositiveAttribute().Check(double.PositiveInfinity));
        Assert.Equal("-1 must be a positive number (hint)", new PositiveAttribute { Hint = "hint" }.Check(-1.0));
        Assert.Equal("9 must be at least 10", new BoundsAttribute(10, long.MaxValue).Check(9L));
        Assert.Null(new BoundsAttribute(10, long.MaxValue).Check(long.MaxValue));
    }

    [Fact]
    public void A_problem_says_the_value_and_its_source_before_the_rule()
    {
        var problem = new BoundsAttribute(1, int.MaxValue).Check("Gas:Confirmations", -3)!;
        Assert.Equal("setting Gas:Confirmations -3 must be at least 1", problem.ToString());
        Assert.Equal("setting Gas:Confirmations '-3' (from the command line) must be at least 1", (problem with { Value = "'-3'", Source = "the command line" }).ToString());
        Assert.Equal("setting Log:File must not be empty", new NotBlankAttribute().Check("Log:File", " ")!.ToString());
    }
}
