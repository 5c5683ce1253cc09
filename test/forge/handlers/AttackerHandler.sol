// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {ITreasuryVaultTypes} from "../../../contracts/interfaces/ITreasuryVaultTypes.sol";
import {ITreasuryVaultErrors} from "../../../contracts/interfaces/ITreasuryVaultErrors.sol";
import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {TreasuryVault} from "../../../contracts/TreasuryVault.sol";
import {VolatilityOracle} from "../../../contracts/oracles/VolatilityOracle.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {FullMath} from "../../../contracts/libraries/FullMath.sol";
import {SqrtPriceMath} from "../../../contracts/libraries/SqrtPriceMath.sol";
import {System, Roles, Deploy} from "../base/Fixture.sol";
import {vm} from "../base/Vm.sol";
import {PolicyCheck} from "./PolicyCheck.sol";

/// @notice A stolen keeper key in an attacker's hands (docs/keeper-key-bound.md), and the only trader: skewed
/// rebalances as far as the vault allows (maxSkew, toward the target share, in proportion to the imbalance), its own
/// swaps against the pool in the same block before and after, time warps (>= minRebalanceInterval, across loss
/// windows) and oracle moves (positive answers, up to +-5% a step). Ghosts, checked by LossBudgetInvariants:
///  - the loss window as the vault's rule starts it (a successful rebalance when none is open or the open one is
///    LOSS_WINDOW old: the reserves then), which must equal the vault's lossWindowOf;
///  - the last successful rebalance R of the window: its oracle price P_R, reserves, and curve (L, low, high, centre);
///  - the bound: with hold(P) = start0 * P / 2^128 + start1 and value(P) the same of the pool's reserves now,
///    loss = hold(P_R) - value(P_R) <= budget + give, budget = floor(hold(P_R) * maxLossBps / 1e4) (the vault's check at
///    R) and give = the most R's curve can hand out at P_R: curveValue(centre, P_R) - curveValue(s*, P_R), s* =
///    sqrt(P_R) clamped to [low, high] (the curve's cheapest point at that price; swaps move along the curve and fees
///    stay in the pool). That is the "one cycle" of slack the design allows: the budget is checked at each rebalance,
///    the curve it allowed trades until the next one. The attacker is the only trader, so the treasury's loss is the
///    attacker's gain (valued at P_R).
contract AttackerHandler {
    address public constant ATTACKER = Roles.KEEPER;
    uint256 private constant Q128 = 1 << 128;

    TreasuryVault public immutable vault;
    ManagedPool public immutable pool;
    VolatilityOracle public immutable oracle;
    MintableERC20 public immutable token0;
    MintableERC20 public immutable token1;

    // ghost: the loss window (as the vault's rule starts it)
    bool public windowOpen;
    uint256 public start0;
    uint256 public start1;
    uint256 public startTime;
    // ghost: the window's last successful rebalance
    uint256 public priceR; // oracle price at R, Q128.128
    uint160 public centreR;
    uint160 public lowR;
    uint160 public highR;
    uint128 public liquidityR;

    // ghost: the attacker's flows, whole run (token0 and token1 received minus paid)
    int256 public attackerNet0;
    int256 public attackerNet1;

    // records (coverage and the docs' figures)
    uint256 public rebalancesOk;
    uint256 public lossBudgetRefusals;
    uint256 public otherRefusals;
    uint256 public swapsOk;
    uint256 public windowsStarted;
    uint256 public maxLossOverBudgetPpm; // max over checks of loss / (budget + give), ppm
    uint256 public maxLossBps; // max loss / hold(P_R), bps
    uint256 public maxGiveBps; // max give / hold(P_R), bps

    constructor(System memory s) {
        vault = s.vault;
        pool = s.pool;
        oracle = s.oracle;
        token0 = s.token0;
        token1 = s.token1;
        vm.startPrank(ATTACKER);
        token0.approve(address(pool), type(uint256).max);
        token1.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ actions

    /// @notice One attack cycle in one block: (flags bit 0) a front-run swap, the keeper's rebalance skewed as far as
    /// the vault lets it (skewSeed even) or a random fraction of that, at the minimum fee, then (bit 1) a back-run that
    /// trades the pool from the skewed centre to the oracle and past it by up to 30% (sqrt terms; the range edge
    /// stops it), which flips the imbalance so that the next cycle may skew the other way.
    function cycle(uint256 skewSeed, uint256 frontSeed, uint256 backSeed, uint8 flags) external {
        if (flags & 1 != 0) _swap(frontSeed % 2 == 0, _logAmount(frontSeed >> 1, frontSeed % 2 == 0 ? 80 : 50));
        (bool ok, uint256 oraclePrice) = _oracle();
        if (!ok) return _record();
        uint256 o = Math.sqrt(oraclePrice << 64); // oracle sqrt price, Q64.96 (price < 2^192 here)
        (uint160 centre, bool below) = _skewedCentre(o, oraclePrice, skewSeed);
        _rebalance(centre, skewSeed, oraclePrice);
        if (flags & 2 != 0) {
            // from below the oracle: buy base up to and past it; from above: sell base down past it
            // half the time within the TWAP bound's reach (<= 4% in sqrt), else up to 15%
            uint256 extra = backSeed % 2 == 0 ? (backSeed >> 1) % 400 : (backSeed >> 1) % 1500;
            uint256 target = below ? o * (10_000 + extra) / 10_000 : o * 10_000 / (10_000 + extra);
            _swapTo(target);
        }
        _record();
    }

    /// @notice An attacker swap of any size (log-uniform), either way, onto the edges too.
    function swap(bool zeroForOne, uint256 amountSeed) external {
        _swap(zeroForOne, _logAmount(amountSeed, zeroForOne ? 80 : 50));
        _record();
    }

    /// @notice Time passes: minRebalanceInterval (600 s) up to 1.5 days (across loss windows); the reporter re-posts
    /// the last answer so that the feeds are fresh.
    function warp(uint256 seed) external {
        vm.warp(block.timestamp + 600 + seed % 1.5 days);
        vm.roll(block.number + 1);
        _postOracle(0);
        _record();
    }

    /// @notice The reporter moves the oracle by up to +-5% (a positive answer, as the feed requires).
    function moveOracle(uint256 seed) external {
        _postOracle(int256(seed % 1001) - 500);
        _record();
    }

    // ------------------------------------------------------------------ the bound

    /// @notice The bound now: "" when loss <= budget + give (+ 2 units of token1 for the floors), and the two sides.
    function bound() public view returns (string memory broken, uint256 loss, uint256 allowed) {
        if (!windowOpen || priceR == 0) return ("", 0, 0);
        (uint256 r0, uint256 r1) = pool.getReserves();
        uint256 hold = FullMath.mulDiv(start0, priceR, Q128) + start1;
        uint256 value = FullMath.mulDiv(r0, priceR, Q128) + r1;
        loss = value < hold ? hold - value : 0;
        (,,, uint256 maxLoss) = vault.lossWindowOf(address(pool));
        uint256 budget = hold * maxLoss / 10_000;
        allowed = budget + give() + 2;
        if (loss > allowed) broken = "loss to the keeper-key attacker beyond the budget plus one curve's give-away";
    }

    /// @notice What R's curve can hand out at P_R: its value at the centre minus its value at its cheapest point.
    function give() public view returns (uint256) {
        uint256 s = Math.sqrt(priceR << 64);
        if (s < lowR) s = lowR;
        if (s > highR) s = highR;
        uint256 atCentre = _curveValue(centreR, true);
        uint256 cheapest = _curveValue(uint160(s), false);
        return atCentre > cheapest ? atCentre - cheapest : 0;
    }

    /// @dev Records the worst ratios seen (after every action).
    function _record() private {
        (, uint256 loss, uint256 allowed) = bound();
        if (allowed == 0) return;
        uint256 hold = FullMath.mulDiv(start0, priceR, Q128) + start1;
        uint256 ppm = loss * 1e6 / allowed;
        if (ppm > maxLossOverBudgetPpm) maxLossOverBudgetPpm = ppm;
        if (hold != 0) {
            uint256 lb = loss * 10_000 / hold;
            if (lb > maxLossBps) maxLossBps = lb;
            uint256 gb = give() * 10_000 / hold;
            if (gb > maxGiveBps) maxGiveBps = gb;
        }
    }

    // ------------------------------------------------------------------ internals

    function _curveValue(uint160 s, bool roundUp) private view returns (uint256) {
        uint256 a0 = SqrtPriceMath.getAmount0Delta(s, highR, liquidityR, roundUp);
        uint256 a1 = SqrtPriceMath.getAmount1Delta(lowR, s, liquidityR, roundUp);
        return (roundUp ? FullMath.mulDivRoundingUp(a0, priceR, Q128) : FullMath.mulDiv(a0, priceR, Q128)) + a1;
    }

    function _oracle() private view returns (bool, uint256) {
        (, int256 answer,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        int8 e = vault.policyOf(address(pool)).priceScaleExp;
        uint256 p = PolicyCheck.priceX128(answer, e);
        return (p != 0 && p < 1 << 180, p);
    }

    /// @dev The centre the vault allows at the pool's share: toward the target share, |skew| up to
    /// maxSkew * min(|share - target|, halfBand) / halfBand (the vault's formula), all of it when skewSeed is even.
    function _skewedCentre(uint256 o, uint256 oraclePrice, uint256 skewSeed) private view returns (uint160, bool below) {
        uint256 allowed;
        (allowed, below) = _allowedSkew(oraclePrice);
        uint256 k = skewSeed % 2 == 0 ? allowed : (skewSeed >> 1) % (allowed + 1);
        // sqrt moves by about half the price skew: (1 -+ k/2e4)^2 = 1 -+ k/1e4 + k^2/4e8 (just inside k)
        return (uint160(below ? o * (20_000 - k) / 20_000 : o * (20_000 + k) / 20_000), below);
    }

    /// @dev The vault's skew allowance at the pool's share now, and its direction (below: base-heavy, the centre
    /// below the oracle).
    function _allowedSkew(uint256 oraclePrice) private view returns (uint256 allowed, bool below) {
        ITreasuryVaultTypes.PolicyParams memory p = vault.policyOf(address(pool)).params;
        (uint256 r0, uint256 r1) = pool.getReserves();
        uint256 share = PolicyCheck.baseShareBps(r0, r1, oraclePrice);
        uint256 target = (uint256(p.minBaseShareBps) + p.maxBaseShareBps) / 2;
        uint256 halfBand = (uint256(p.maxBaseShareBps) - p.minBaseShareBps) / 2;
        uint256 imbalance = share > target ? share - target : target - share;
        allowed = imbalance >= halfBand ? p.maxSkewBps : uint256(p.maxSkewBps) * imbalance / halfBand;
        below = share > target;
    }

    function _rebalance(uint160 centre, uint256 seed, uint256 oraclePrice) private {
        ITreasuryVaultTypes.PolicyParams memory p = vault.policyOf(address(pool)).params;
        uint256 w = (seed >> 64) % 2000 + 60; // sqrt bps: a range of about +-0.6% .. +-20%
        uint256 bound_ = uint256(centre) * 10_000 / (10_000 + w);
        try pool.previewReposition(centre, uint160(bound_)) {}
        catch {
            bound_ = uint256(centre) * (10_000 + w) / 10_000;
        }
        ITreasuryVaultTypes.Target memory t = ITreasuryVaultTypes.Target({
            sqrtPriceX96: centre,
            sqrtPriceBoundX96: uint160(bound_),
            feePips: p.minFeePips,
            observationHint: type(uint16).max
        });
        (uint256 r0, uint256 r1) = pool.getReserves();
        vm.prank(ATTACKER);
        try vault.rebalance(address(pool), t) returns (uint160 low, uint160 high) {
            rebalancesOk++;
            // the vault's window rule: none open, or the open one LOSS_WINDOW old -> a new one at the reserves now
            if (!windowOpen || block.timestamp >= startTime + vault.LOSS_WINDOW()) {
                (windowOpen, start0, start1, startTime) = (true, r0, r1, block.timestamp);
                windowsStarted++;
            }
            (priceR, centreR, lowR, highR, liquidityR) = (oraclePrice, centre, low, high, pool.liquidity());
        } catch (bytes memory err) {
            if (bytes4(err) == ITreasuryVaultErrors.LossBudgetExceeded.selector) lossBudgetRefusals++;
            else otherRefusals++;
        }
    }

    /// @dev Swaps the pool's price to `target` (clamped to the range), fee grossed up.
    function _swapTo(uint256 target) private {
        (uint160 p,,,,,,) = pool.slot0();
        uint256 low = pool.sqrtPriceLowX96();
        uint256 high = pool.sqrtPriceHighX96();
        if (target < low) target = low;
        if (target > high) target = high;
        uint128 l = pool.liquidity();
        if (target == p || l == 0) return;
        (, uint24 fee,,,,,) = pool.slot0();
        uint256 net = target < p
            ? SqrtPriceMath.getAmount0Delta(uint160(target), p, l, true)
            : SqrtPriceMath.getAmount1Delta(p, uint160(target), l, true);
        if (net > type(uint128).max / 2) return;
        _swap(target < p, net * 1e6 / (1e6 - fee) + 1);
    }

    function _swap(bool zeroForOne, uint256 amountIn) private {
        if (amountIn == 0) return;
        MintableERC20 tokenIn = zeroForOne ? token0 : token1;
        tokenIn.mint(ATTACKER, amountIn);
        uint256 b0 = token0.balanceOf(ATTACKER);
        uint256 b1 = token1.balanceOf(ATTACKER);
        vm.prank(ATTACKER);
        try pool.swapExactIn(zeroForOne, amountIn, 0, ATTACKER, block.timestamp) {
            swapsOk++;
        } catch {}
        // the unused input (a swap stopped at the edge) stays with the attacker: flows are balance differences
        attackerNet0 += int256(token0.balanceOf(ATTACKER)) - int256(b0);
        attackerNet1 += int256(token1.balanceOf(ATTACKER)) - int256(b1);
    }

    /// @dev The reporter posts last answer * (1 + moveBps / 1e4) (kept positive and below 1e30) and a fresh volatility.
    function _postOracle(int256 moveBps) private {
        (, int256 last,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        int256 price = last * (10_000 + moveBps) / 10_000;
        if (price <= 0 || price >= 1e30) price = last;
        vm.prank(Roles.REPORTER);
        try oracle.update(price, Deploy.INITIAL_VOLATILITY) {} catch {}
    }

    /// @dev log-uniform in [0, 2^maxBits).
    function _logAmount(uint256 seed, uint256 maxBits) private pure returns (uint256) {
        uint256 bits = (seed >> 200) % (maxBits + 1);
        return bits == 0 ? 0 : seed % (uint256(1) << bits);
    }
}
