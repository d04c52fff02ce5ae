module github.com/kami-verify/kami-verify/packages/go

go 1.22
