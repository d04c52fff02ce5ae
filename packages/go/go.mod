module github.com/kami-verify/kami-verify/packages/go

go 1.22

require go.uber.org/goleak v1.3.0
