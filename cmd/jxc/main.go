// Command jxc holds the tools around the agent and the cloud: the
// one-command demo, device simulators and a load generator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/jxc-edge/jxc/cmd/internal/cli"
)

func main() {
	ctx, stop := cli.SignalContext()
	defer stop()
	if err := NewMain().Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "jxc:", err)
		}
		os.Exit(1)
	}
}

// Main is the jxc program.
type Main struct{}

// NewMain returns the program.
func NewMain() *Main { return &Main{} }

const usage = `jxc — JXC Edge tools / 工具

Usage:
  jxc demo [flags]     run cloud, embedded broker and three agents with a workload / 一键演示
  jxc sim KIND [flags] run a device emulator: llrp, scale or scanner / 设备模拟器
  jxc version          print the version

Run "jxc demo -h" for the demo's flags.
`

// Run dispatches to a subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Print(usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "demo":
		return (&DemoCommand{}).Run(ctx, args[1:])
	case "sim":
		return (&SimCommand{in: os.Stdin, out: os.Stdout}).Run(ctx, args[1:])
	case "version":
		fmt.Println("jxc", cli.Version)
		return nil
	case "-h", "--help", "help":
		fmt.Print(usage)
		return nil
	}
	fmt.Print(usage)
	return fmt.Errorf("unknown command %q", args[0])
}
