// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;
import {Test, Vm} from "forge-std/Test.sol";
contract Target { uint256 public x; function f(uint256[] calldata a) external { x = a.length; } function g() external {} }
contract ScratchTest is Test {
    function test_gas() public {
        Target t = new Target();
        t.g();
        Vm.Gas memory g0 = vm.lastCallGas();
        emit log_named_uint("g total", g0.gasTotalUsed);
        uint256[] memory a = new uint256[](100);
        for (uint i; i<100; i++) a[i] = type(uint256).max;
        t.f(a);
        Vm.Gas memory g1 = vm.lastCallGas();
        emit log_named_uint("f total", g1.gasTotalUsed);
        emit log_named_uint("f refunded", uint256(int256(g1.gasRefunded)));
        emit log_named_uint("f limit", g1.gasLimit);
        emit log_named_uint("f remaining", g1.gasRemaining);
    }
}
