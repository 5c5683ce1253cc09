// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {SqrtPriceMath} from "../../contracts/libraries/SqrtPriceMath.sol";
import {Test} from "./base/Test.sol";
import {System, Deploy} from "./base/Fixture.sol";
import {TraderHandler, IEpoch} from "./handlers/TraderHandler.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";
import {RoleHandler} from "./handlers/RoleHandler.sol";

/// @notice The whole system under random traffic: swaps (dust to huge, onto the edges), donations, time, keeper
/// rebalances (oracle-derived and random), owner deposits/withdrawals, pause/unpause/emergency withdrawal, hedges,
/// oracle updates (good, jumps, bad, stale), and calls from accounts without the role. Invariants below; the
/// handlers record what can only be seen at the moment of a call in ghost counters that must stay zero.
contract SystemInvariants is Test {
    System internal s;
    TraderHandler internal trader;
    VaultHandler internal keeperSide;
    RoleHandler internal roles;

    function setUp() public {
        s = Deploy.system();
        trader = new TraderHandler(s);
        keeperSide = new VaultHandler(s, trader);
        trader.setEpochSource(IEpoch(address(keeperSide)));
        roles = new RoleHandler(s);

        bytes4[] memory t = new bytes4[](4);
        t[0] = TraderHandler.swap.selector;
        t[1] = TraderHandler.swapToEdge.selector;
        t[2] = TraderHandler.donate.selector;
        t[3] = TraderHandler.warp.selector;
        targetSelector(FuzzSelector(address(trader), t));
        bytes4[] memory v = new bytes4[](11);
        v[0] = VaultHandler.rebalanceFromOracle.selector;
        v[1] = VaultHandler.rebalanceRandom.selector;
        v[2] = VaultHandler.deposit.selector;
        v[3] = VaultHandler.withdraw.selector;
        v[4] = VaultHandler.unpause.selector;
        v[5] = VaultHandler.closeHedge.selector;
        v[6] = VaultHandler.pause.selector;
        v[7] = VaultHandler.emergencyWithdraw.selector;
        v[8] = VaultHandler.adjustHedge.selector;
        v[9] = VaultHandler.updateOracle.selector;
        v[10] = VaultHandler.warpLong.selector;
        targetSelector(FuzzSelector(address(keeperSide), v));
        bytes4[] memory r = new bytes4[](1);
        r[0] = RoleHandler.callWithoutRole.selector;
        targetSelector(FuzzSelector(address(roles), r));
        targetContract(address(trader));
        targetContract(address(keeperSide));
        targetContract(address(roles));
    }

    /// @notice ManagedPool: reserve_i + (tokens sent to it directly since the last sync) == balanceOf(pool), to the wei.
    function invariant_reservesMatchBalances() public view {
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        assertEq(r0 + trader.unsynced0(), s.token0.balanceOf(address(s.pool)), "reserve0 + unsynced != balance0");
        assertEq(r1 + trader.unsynced1(), s.token1.balanceOf(address(s.pool)), "reserve1 + unsynced != balance1");
    }

    /// @notice ManagedPool: the curve's real amounts at the current price, L*(1/sqrtP - 1/sqrtPb) and L*(sqrtP - sqrtPa)
    /// (what the curve can pay out, floored), never exceed reserve0 and reserve1; the price stays in
    /// [low, high] and MIN_SQRT_PRICE <= low < high <= MAX_SQRT_PRICE.
    function invariant_curveCoveredAndPriceInRange() public view {
        (uint160 p,,,,,,) = s.pool.slot0();
        uint160 low = uint160(s.pool.sqrtPriceLowX96());
        uint160 high = uint160(s.pool.sqrtPriceHighX96());
        assertTrue(low <= p && p <= high, "price outside [low, high]");
        assertTrue(low < high, "empty range");
        assertTrue(low >= s.pool.MIN_SQRT_PRICE() && high <= s.pool.MAX_SQRT_PRICE(), "range outside the price bounds");
        uint128 l = s.pool.liquidity();
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        if (l == 0) return;
        assertLe(SqrtPriceMath.getAmount0Delta(p, high, l, false), r0, "curve amount0 > reserve0");
        assertLe(SqrtPriceMath.getAmount1Delta(low, p, l, false), r1, "curve amount1 > reserve1");
    }

    /// @notice Swaps only: a round-trip trader's net tokens since the curve last changed are worth <= 0 at the pool's
    /// price after every swap, and back at a range edge it has no more of either token than when it was there before.
    function invariant_swapsNeverPayTheTrader() public view {
        assertEq(trader.valueViolations(), 0, trader.firstViolation());
        assertEq(trader.edgeViolations(), 0, trader.firstViolation());
    }

    /// @notice TreasuryVault: every successful rebalance satisfied every policy bound (fee, feeds fresh and positive,
    /// interval, skew, width, inventory, TWAP deviation; price = target centre, bound kept), recomputed in PolicyCheck.
    function invariant_rebalanceWithinPolicy() public view {
        assertEq(keeperSide.policyViolations(), 0, keeperSide.firstPolicyViolation());
    }

    /// @notice Roles: every guarded function called without its role reverted with the role's error and changed
    /// nothing it guards.
    function invariant_onlyRolesChangeGuardedState() public view {
        assertEq(roles.roleViolations(), 0, roles.firstRoleViolation());
    }
}
