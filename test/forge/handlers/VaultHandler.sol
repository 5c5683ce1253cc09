// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {ITreasuryVaultTypes} from "../../../contracts/interfaces/ITreasuryVaultTypes.sol";
import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {TreasuryVault} from "../../../contracts/TreasuryVault.sol";
import {VolatilityOracle} from "../../../contracts/oracles/VolatilityOracle.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {System, Roles, Deploy} from "../base/Fixture.sol";
import {vm} from "../base/Vm.sol";
import {PolicyCheck} from "./PolicyCheck.sol";
import {FullMath} from "../../../contracts/libraries/FullMath.sol";
import {IPerpMarketState} from "../../../contracts/perp/interfaces/IPerpMarketState.sol";
import {TraderHandler} from "./TraderHandler.sol";

/// @notice The vault's side, each call made by the role that owns it: keeper rebalances (targets computed from the
/// oracle price, and random ones), owner deposits / withdrawals / unpause / closeHedge, guardian pause and emergency
/// withdrawal, keeper adjustHedge, reporter oracle updates (near the pool price, jumps, bad answers), long warps
/// (stale feeds). Thin on purpose: each action is one pranked call; what a successful rebalance must satisfy lives
/// in PolicyCheck. Every success that changes the curve bumps `epoch` (TraderHandler restarts its round trip).
contract VaultHandler {
    TreasuryVault public immutable vault;
    ManagedPool public immutable pool;
    VolatilityOracle public immutable oracle;
    MintableERC20 public immutable token0;
    MintableERC20 public immutable token1;
    TraderHandler public immutable trader;

    uint256 public epoch;
    uint256 public policyViolations;
    string public firstPolicyViolation;

    // call counters (coverage)
    uint256 public rebalancesOk;
    uint256 public rebalancesReverted;
    mapping(bytes4 => uint256) public rebalanceErrors; // revert selector => count (coverage)
    uint256 public depositsOk;
    uint256 public withdrawalsOk;
    uint256 public pausesOk;
    uint256 public emergencyWithdrawalsOk;
    uint256 public hedgesOk;
    uint256 public hedgeClosesOk;
    uint256 public oracleUpdatesOk;
    uint256 public inventoryRecoverySwitches;

    constructor(System memory s, TraderHandler trader_) {
        vault = s.vault;
        pool = s.pool;
        oracle = s.oracle;
        token0 = s.token0;
        token1 = s.token1;
        trader = trader_;
    }

    // ------------------------------------------------------------------ keeper: rebalance

    /// @notice A target the keeper would send: centre within the skew bound of the oracle price (or just past it),
    /// a bound 0.1%..200% away on either side, a fee within (or just outside) the bounds.
    /// flags: bit 0 = bound below the centre; bits 1-2 != 0 (three times in four) = the reporter first re-posts the
    /// last answer (a live feed is fresh when the keeper acts; stale feeds come from the other paths); bit 3 = an
    /// arbitrary observation hint in the ring (0..63) instead of none (a wrong hint must not change the TWAP).
    function rebalanceFromOracle(uint256 centreSeed, uint256 boundSeed, uint256 feeSeed, uint8 flags) external {
        (, int256 answer,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        if ((flags >> 1) & 3 != 0 && answer > 0) {
            (, int256 vol,,,) = AggregatorV3Interface(address(oracle.volatilityFeed())).latestRoundData();
            vm.prank(Roles.REPORTER);
            try oracle.update(answer, vol) {} catch {}
        }
        if (answer <= 0 || answer >= 1e30) return;
        ITreasuryVaultTypes.Target memory t;
        (t.sqrtPriceX96, t.sqrtPriceBoundX96) = _centreAndBound(answer, centreSeed, boundSeed, flags & 1 == 1);
        t.feePips = _fee(feeSeed);
        t.observationHint = flags & 8 == 0 ? type(uint16).max : uint16(feeSeed >> 64) % 64;
        _rebalance(t);
    }

    function _centreAndBound(int256 answer, uint256 centreSeed, uint256 boundSeed, bool boundBelow)
        private
        view
        returns (uint160, uint160)
    {
        uint256 maxSkew = vault.policyOf(address(pool)).params.maxSkewBps;
        uint256 o = Deploy.sqrtPriceOfAnswer(answer);
        // price skew in bps in [-(maxSkew + 5), maxSkew + 5]; the sqrt price moves by about half of it
        int256 skew = int256(centreSeed % (2 * maxSkew + 11)) - int256(maxSkew + 5);
        uint256 centre = o * uint256(int256(20_000) + skew) / 20_000;
        uint256 w = boundSeed % 20_000 + 10; // sqrt bps
        uint256 bound = boundBelow ? centre * 10_000 / (10_000 + w) : centre * (10_000 + w) / 10_000;
        // as a keeper would: the other side when the reserves cannot fit this one (previewReposition reverts)
        try pool.previewReposition(uint160(centre), uint160(bound)) {}
        catch {
            bound = boundBelow ? centre * (10_000 + w) / 10_000 : centre * 10_000 / (10_000 + w);
        }
        return (uint160(centre), uint160(bound));
    }

    /// @dev A fee within the bounds (one below the minimum and one above the maximum come up too).
    function _fee(uint256 feeSeed) private view returns (uint24) {
        ITreasuryVaultTypes.PolicyParams memory p = vault.policyOf(address(pool)).params;
        uint256 fee = uint256(p.minFeePips) + feeSeed % (uint256(p.maxFeePips) - p.minFeePips + 3);
        return uint24(fee == 0 ? 0 : fee - 1);
    }

    /// @notice Any target at all (and any observation hint).
    function rebalanceRandom(uint160 centre, uint160 bound, uint24 fee, uint16 hint) external {
        _rebalance(
            ITreasuryVaultTypes.Target({sqrtPriceX96: centre, sqrtPriceBoundX96: bound, feePips: fee, observationHint: hint})
        );
    }

    function _rebalance(ITreasuryVaultTypes.Target memory t) private {
        PolicyCheck.Seen memory s;
        ITreasuryVaultTypes.PolicyView memory pv = vault.policyOf(address(pool));
        s.policy = pv.params;
        s.priceScaleExp = pv.priceScaleExp;
        s.allowInventoryRecovery = pv.allowInventoryRecovery;
        s.target = t;
        (, s.answer,, s.updatedAt,) = s.policy.priceFeed.latestRoundData();
        if (address(s.policy.volatilityFeed) != address(0)) {
            (, s.volAnswer,, s.volUpdatedAt,) = s.policy.volatilityFeed.latestRoundData();
        }
        try pool.consult(s.policy.twapWindow) returns (int256 twap, uint256) {
            (s.twapReadable, s.twapLogPrice) = (true, twap);
        } catch {}
        s.previousRepositionTime = pool.lastRepositionTime();
        s.pausedBefore = vault.paused();
        (uint160 spot,,,,,,) = pool.slot0();
        (s.spotBefore, s.lowBefore, s.highBefore) = (spot, pool.sqrtPriceLowX96(), pool.sqrtPriceHighX96());
        vm.prank(Roles.KEEPER);
        try vault.rebalance(address(pool), t) returns (uint160 low, uint160 high) {
            rebalancesOk++;
            epoch++;
            (s.low, s.high) = (low, high);
            if (low != pool.sqrtPriceLowX96() || high != pool.sqrtPriceHighX96()) _violation("returned range");
            (uint160 price, uint24 fee,,,,,) = pool.slot0();
            (s.priceAfter, s.feeAfter) = (price, fee);
            (s.reserve0, s.reserve1) = pool.getReserves();
            string memory broken = PolicyCheck.check(s);
            if (bytes(broken).length != 0) _violation(broken);
        } catch (bytes memory err) {
            rebalancesReverted++;
            rebalanceErrors[bytes4(err)]++;
        }
    }

    // ------------------------------------------------------------------ owner: funds, unpause, hedge close

    /// @notice amount0 seed % 4 == 3: the short token up to half the value at the oracle price; == 1: both tokens
    /// in the reserves' ratio (0.1%..100% of them, as a treasury tops up); even: log-uniform amounts of each (zero,
    /// dust and large).
    function deposit(uint256 amount0, uint256 amount1) external {
        (uint256 r0, uint256 r1) = pool.getReserves();
        (, int256 answer,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        if (amount0 % 4 == 3 && answer > 0 && answer < 1e30) {
            // the short side topped up to half the value at the oracle price (a treasury restoring its inventory)
            uint256 v0 = r0 * uint256(answer) / 1e20; // token0 in token1 units (8 feed decimals, 18 - 6 tokens)
            (amount0, amount1) = v0 < r1 ? ((r1 - v0) * 1e20 / uint256(answer), uint256(0)) : (uint256(0), v0 - r1);
        } else if (amount0 % 2 == 1 && r0 + r1 != 0) {
            uint256 permille = amount1 % 1000 + 1;
            (amount0, amount1) = (r0 * permille / 1000, r1 * permille / 1000);
        } else {
            amount0 = _logAmount(amount0, 90);
            amount1 = _logAmount(amount1, 72);
        }
        token0.mint(Roles.OWNER, amount0);
        token1.mint(Roles.OWNER, amount1);
        vm.prank(Roles.OWNER);
        try vault.deposit(address(pool), amount0, amount1) {
            depositsOk++;
            epoch++;
            trader.clearUnsynced();
        } catch {}
    }

    /// @notice Withdraws a fraction (up to 110%: too much must revert) of each reserve (half the time the same one).
    function withdraw(uint256 fraction0, uint256 fraction1) external {
        (uint256 r0, uint256 r1) = pool.getReserves();
        uint256 a0 = r0 * (fraction0 % 1101) / 1000;
        uint256 a1 = fraction1 % 2 == 0 ? r1 * (fraction0 % 1101) / 1000 : r1 * (fraction1 % 1101) / 1000;
        vm.prank(Roles.OWNER);
        try vault.withdraw(address(pool), a0, a1, Roles.OWNER) {
            withdrawalsOk++;
            epoch++;
        } catch {}
    }

    /// @notice The owner turns the pool's inventory recovery on or off.
    function setInventoryRecovery(bool on) external {
        vm.prank(Roles.OWNER);
        vault.setAllowInventoryRecovery(address(pool), on);
        inventoryRecoverySwitches++;
    }

    function unpause() external {
        vm.prank(Roles.OWNER);
        try vault.unpause() {} catch {}
    }

    function closeHedge() external {
        vm.prank(Roles.OWNER);
        try vault.closeHedge(address(pool)) {
            hedgeClosesOk++;
            IPerpMarketState.Account memory a =
                IPerpMarketState(vault.hedgePolicyOf(address(pool)).market).accountOf(address(vault));
            if (a.size != 0 || a.margin != 0) _violation("closeHedge left a position or margin");
        } catch {}
    }

    // ------------------------------------------------------------------ guardian (or owner)

    /// @notice Pauses one call in two (seed bit 1), so that the system is not paused half the time.
    function pause(uint8 seed) external {
        if (seed & 2 == 0) return;
        vm.prank(seed & 1 == 1 ? Roles.OWNER : Roles.GUARDIAN);
        try vault.pause() {
            pausesOk++;
        } catch {}
    }

    function emergencyWithdraw(bool byOwner) external {
        vm.prank(byOwner ? Roles.OWNER : Roles.GUARDIAN);
        try vault.emergencyWithdraw(address(pool)) {
            emergencyWithdrawalsOk++;
            epoch++;
            trader.clearUnsynced();
        } catch {}
    }

    // ------------------------------------------------------------------ keeper: hedge

    /// @notice sizeDelta up to +-500 BASE, marginDelta up to +-200,000 QUOTE (either may be zero).
    function adjustHedge(int256 sizeSeed, int256 marginSeed) external {
        int256 size = sizeSeed % 500e18;
        int256 margin = marginSeed % 200_000e6;
        bool pausedBefore = vault.paused();
        vm.prank(Roles.KEEPER);
        try vault.adjustHedge(address(pool), size, margin) {
            hedgesOk++;
            // the hedge policy after every successful adjustment (ITreasuryVaultKeeperActions.adjustHedge)
            ITreasuryVaultTypes.HedgePolicy memory h = vault.hedgePolicyOf(address(pool));
            IPerpMarketState.AccountView memory v = IPerpMarketState(h.market).accountView(address(vault));
            if (pausedBefore) _violation("hedge adjusted while paused");
            if (v.notional > h.maxNotional) _violation("hedge notional above maxNotional");
            if (v.notional != 0) {
                uint256 ratio = v.equity <= 0 ? 0 : FullMath.mulDiv(uint256(v.equity), 1e6, v.notional);
                if (ratio < h.minMarginRatioPips) _violation("hedge margin ratio below the minimum");
            }
        } catch {}
    }

    // ------------------------------------------------------------------ reporter: oracle

    /// @notice mode 0..5: near the pool's price (+-3%); 6..7: a jump of up to +-50% from the last answer; 8: any
    /// positive answer below 2^100; 9: zero volatility. Prices outside the oracle's own checks revert there.
    function updateOracle(uint8 mode, uint256 moveSeed, uint256 volSeed) external {
        mode = mode % 10;
        (, int256 last,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        int256 price;
        if (mode < 6) {
            (uint160 s,,,,,,) = pool.slot0();
            // answer of sqrt price s: s^2 / 2^192 * 1e20 (8 feed decimals, 18 - 6 token decimals)
            uint256 a = uint256(s) * uint256(s) / (1 << 96) * 1e20 / (1 << 96);
            price = int256(a * (9700 + moveSeed % 601) / 10_000);
        } else if (mode < 8) {
            price = last * int256(5000 + moveSeed % 10_001) / 10_000;
        } else {
            price = int256(moveSeed % (1 << 100));
        }
        int256 vol = mode == 9 ? int256(0) : int256(volSeed % 2e8 + 1);
        vm.prank(Roles.REPORTER);
        try oracle.update(price, vol) {
            oracleUpdatesOk++;
        } catch {}
    }

    /// @notice A long pause in time (up to 2 days): feeds go stale, the TWAP window empties, funding accrues.
    function warpLong(uint256 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 2 days + 1);
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ internals

    /// @dev log-uniform in [0, 2^maxBits): zero, dust and large amounts all come up.
    function _logAmount(uint256 seed, uint256 maxBits) private pure returns (uint256) {
        uint256 bits = (seed >> 200) % (maxBits + 1);
        return bits == 0 ? 0 : seed % (uint256(1) << bits);
    }

    function _violation(string memory what) private {
        policyViolations++;
        if (bytes(firstPolicyViolation).length == 0) firstPolicyViolation = what;
    }
}
